// Turns each configuration source (config file, environment, CLI flags) into a validated
// FileConfig-shaped layer. Problems are reported in the source's own words: a file key
// path, an environment variable name, or a --flag.
import type { ZodError } from 'zod';
import { ConfigError } from './errors.js';
import { KNOWN_KEYS, fileConfigSchema, type FileConfig } from './schema.js';

/** What the CLI parsed from argv (raw strings; validated here). */
export interface CliFlags {
  apiUrl?: string[];
  module?: string[];
  dir?: string[];
  cooldown?: string;
  config?: string;
  token?: string;
  logDir?: string;
  json?: boolean;
  tui?: boolean; // false with --no-tui
  verify?: boolean; // false with --no-verify
  strategy?: string; // --strategy canary|all-at-once
  parallel?: string; // --parallel N
  allowMissing?: boolean; // --allow-missing
  advisoryCheck?: string[]; // --advisory-check NAME (repeatable)
}

export type Env = Readonly<Record<string, string | undefined>>;

type Labeler = (path: readonly PropertyKey[]) => string;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out || '(top level)';
}

export function formatValue(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

export function zodProblems(err: ZodError, data: unknown, label: Labeler, suffix = ''): string[] {
  return err.issues.map((issue) => {
    const value = valueAt(data, issue.path);
    const key = label(issue.path);
    if (value === undefined) {
      // "is not a path (expected …)" → "missing (expected …)"
      const expected = issue.message.match(/\(expected .*\)$/)?.[0] ?? `(${issue.message})`;
      return `${key}: missing ${expected}${suffix}`;
    }
    return `${key}: ${formatValue(value)} ${issue.message}${suffix}`;
  });
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}

export function suggest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  if (best && best.d <= Math.max(2, Math.floor(key.length / 3))) return best.k;
  return known.find((k) => k.toLowerCase().includes(lower) || lower.includes(k.toLowerCase()));
}

function unknownKeys(data: unknown, source: string): string[] {
  const out: string[] = [];
  const check = (obj: unknown, known: readonly string[], where: string) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return;
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const hint = suggest(key, known);
      out.push(`unknown key "${where}${key}" in ${source}${hint ? ` (did you mean "${where}${hint}"?)` : ` (known keys: ${known.join(', ')})`}`);
    }
  };
  check(data, KNOWN_KEYS.root, '');
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>;
    check(d.timeouts, KNOWN_KEYS.timeouts, 'timeouts.');
    check(d.endpoints, KNOWN_KEYS.endpoints, 'endpoints.');
    if (Array.isArray(d.targets)) d.targets.forEach((t, i) => check(t, KNOWN_KEYS.targets, `targets[${i}].`));
    if (Array.isArray(d.probes)) d.probes.forEach((p, i) => check(p, KNOWN_KEYS.probes, `probes[${i}].`));
  }
  return out;
}

/** Validates the contents of a config file; `source` names it in messages. */
export function fileLayer(data: unknown, source: string): FileConfig {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${source}: ${formatValue(data)} is not an object (expected a JSON object of settings, e.g. {"cooldown": 5})`);
  }
  const problems = unknownKeys(data, source);
  const parsed = fileConfigSchema.safeParse(data);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, data, formatPath, ` in ${source}`));
  // from the raw list, so that a duplicate is reported beside the file's other problems
  const rawProbes = (data as { probes?: unknown }).probes;
  const seen = new Set<string>();
  (Array.isArray(rawProbes) ? rawProbes : []).forEach((p: unknown, i) => {
    const name = p && typeof p === 'object' ? (p as { name?: unknown }).name : undefined;
    if (typeof name !== 'string' || name === '') return;
    if (seen.has(name)) problems.push(`probes[${i}].name: ${formatValue(name)} is used twice (expected unique probe names) in ${source}`);
    seen.add(name);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data as FileConfig;
}

/** API_BASE_URL and HOT_RELOAD_TOKEN; empty values count as unset. */
export function envLayer(env: Env): FileConfig {
  const raw: Record<string, unknown> = {};
  if (env.API_BASE_URL) raw.apiUrl = env.API_BASE_URL;
  if (env.HOT_RELOAD_TOKEN) raw.token = env.HOT_RELOAD_TOKEN;
  const names: Record<string, string> = { apiUrl: 'API_BASE_URL', token: 'HOT_RELOAD_TOKEN' };
  const parsed = fileConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(zodProblems(parsed.error, raw, (p) => names[String(p[0])] ?? formatPath(p)));
  return parsed.data as FileConfig;
}

const FLAG_NAMES: Record<string, string> = {
  apiUrl: '--api-url',
  targets: '--api-url',
  modules: '--module',
  dirs: '--dir',
  cooldown: '--cooldown',
  token: '--token',
  logDir: '--log-dir',
  verify: '--verify',
  strategy: '--strategy',
  parallel: '--parallel',
  allowMissing: '--allow-missing',
  advisoryChecks: '--advisory-check',
};

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

/** Name of a target given only by URL: host:port, unique within the list. */
export function targetName(url: string, taken: Set<string>): string {
  let base = url;
  try {
    base = new URL(url).host;
  } catch {
    /* validation reports the bad URL */
  }
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}#${i}`;
  taken.add(name);
  return name;
}

export function flagsLayer(flags: CliFlags): FileConfig {
  const raw: Record<string, unknown> = {};
  const urls = flags.apiUrl ?? [];
  if (urls.length === 1) raw.apiUrl = urls[0];
  else if (urls.length > 1) {
    const taken = new Set<string>();
    raw.targets = urls.map((apiUrl) => ({ name: targetName(apiUrl, taken), apiUrl }));
  }
  if (flags.module?.length) raw.modules = flags.module;
  if (flags.dir?.length) raw.dirs = flags.dir;
  // numbers arrive as strings; keep non-numeric text as is so the message shows it
  if (flags.cooldown !== undefined) raw.cooldown = NUMERIC.test(flags.cooldown) ? Number(flags.cooldown) : flags.cooldown;
  if (flags.token !== undefined) raw.token = flags.token;
  if (flags.logDir !== undefined) raw.logDir = flags.logDir;
  if (flags.verify !== undefined) raw.verify = flags.verify;
  if (flags.strategy !== undefined) raw.strategy = flags.strategy;
  if (flags.parallel !== undefined) raw.parallel = NUMERIC.test(flags.parallel) ? Number(flags.parallel) : flags.parallel;
  if (flags.allowMissing !== undefined) raw.allowMissing = flags.allowMissing;
  if (flags.advisoryCheck?.length) raw.advisoryChecks = flags.advisoryCheck;
  const parsed = fileConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(zodProblems(parsed.error, raw, (p) => FLAG_NAMES[String(p[0])] ?? `--${formatPath(p)}`));
  }
  return parsed.data as FileConfig;
}
