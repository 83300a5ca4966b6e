// Pure merge of configuration layers into the complete, readonly Config the engine sees.
// Precedence: flags > environment > config file > defaults. No I/O here.
import path from 'node:path';
import { DEFAULT_API_URL, DEFAULT_PREFIX } from '../protocol/wire.js';
import type { Config, Endpoints, Probe, Target } from '../types.js';
import { envLayer, fileLayer, flagsLayer, type CliFlags, type Env } from './layers.js';
import type { FileConfig } from './schema.js';

export const DEFAULT_DIRS = ['server', 'src', 'services'] as const;
export const DEFAULT_CONFIG_FILE = 'hot-reload.config.json';
/**
 * The quiet window while a burst touches one file: the floor of save-to-serve. The
 * scheduler widens it where a multi-file write could be split (scheduler.ts: BUSY when the
 * CPUs are saturated, LEARN from gaps this project's writers left), a burst that has
 * touched a second file waits MULTI, and the watcher keeps it open while a saved file is
 * still empty. bench/batching.js measures the trade-off with real writers.
 */
export const DEFAULT_DEBOUNCE_MS = 4;

/**
 * The defaults layer. `existingDirs`: which of server/ src/ services/ exist under the
 * root (the I/O edge finds out); when none does, src/ is kept and the watcher warns.
 */
export function defaultLayer(existingDirs: readonly string[] = []): FileConfig {
  const dirs = DEFAULT_DIRS.filter((d) => existingDirs.includes(d));
  return {
    targets: [{ name: 'default', apiUrl: DEFAULT_API_URL }],
    dirs: dirs.length > 0 ? dirs : ['src'],
    ignore: [],
    modules: [],
    cooldown: 5,
    debounceMs: DEFAULT_DEBOUNCE_MS,
    timeouts: { reload: 60, verify: 15, rollback: 30, status: 5 },
    prefix: DEFAULT_PREFIX,
    endpoints: {},
    probes: [],
    logDir: 'logs/hot_reload_errors',
    verify: true,
    strategy: 'canary',
    parallel: 4,
    allowMissing: false,
    advisoryChecks: [],
  };
}

export interface ConfigLayers {
  defaults: FileConfig;
  /** raw contents of the config file; `source` names it in error messages */
  file?: { source: string; data: unknown };
  env?: Env;
  flags?: CliFlags;
  /** base for relative paths given by flags and env (default: root) */
  cwd?: string;
}

interface Layer {
  cfg: FileConfig;
  base: string; // directory relative paths of this layer are resolved against
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The value of the highest layer that sets `pick`, with the index of that layer. */
function highest<T>(layers: Layer[], pick: (c: FileConfig) => T | undefined): { value: T; index: number; base: string } | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const v = pick(layers[i].cfg);
    if (v !== undefined) return { value: v, index: i, base: layers[i].base };
  }
  return undefined;
}

function mergeTargets(layers: Layer[]): Target[] {
  const fromLayer = highest(layers, (c) =>
    c.targets ? c.targets.map((t) => ({ ...t })) : c.apiUrl ? [{ name: 'default', apiUrl: c.apiUrl }] : undefined,
  );
  const targets: Target[] = fromLayer?.value ?? [{ name: 'default', apiUrl: DEFAULT_API_URL }];
  const token = highest(layers, (c) => c.token);
  for (const t of targets) {
    // a token from a higher layer than the targets overrides theirs; otherwise it fills gaps
    if (token && (t.token === undefined || token.index > (fromLayer?.index ?? -1))) t.token = token.value;
    t.apiUrl = t.apiUrl.replace(/\/+$/, '');
  }
  return targets;
}

function mergeEndpoints(layers: Layer[]): Endpoints {
  const prefix = (highest(layers, (c) => c.prefix)?.value ?? DEFAULT_PREFIX).replace(/\/+$/, '');
  const ep = (k: keyof Endpoints, fallback: string) => highest(layers, (c) => c.endpoints?.[k])?.value ?? fallback;
  return {
    health: ep('health', '/health'),
    status: ep('status', `${prefix}/status`),
    reload: ep('reload', `${prefix}/reload-all`),
    verify: ep('verify', `${prefix}/verify`),
    rollback: ep('rollback', `${prefix}/rollback`),
    reloadModule: ep('reloadModule', `${prefix}/reload/{module}`),
  };
}

function toProbe(p: NonNullable<FileConfig['probes']>[number]): Probe {
  const probe: Probe = { name: p.name, method: (p.method ?? 'GET').toUpperCase(), path: p.path, expectStatus: p.expectStatus ?? 200 };
  if (p.body !== undefined) probe.body = p.body;
  if (p.headers) probe.headers = { ...p.headers };
  if (p.bodyContains !== undefined) probe.bodyContains = p.bodyContains;
  if (p.jsonEquals) probe.jsonEquals = { ...p.jsonEquals };
  return probe;
}

/** Validates every layer, merges them and returns the complete readonly Config. */
export function mergeConfig(layers: ConfigLayers, root: string): Config {
  const absRoot = path.resolve(root);
  const cwd = path.resolve(absRoot, layers.cwd ?? absRoot);
  const stack: Layer[] = [{ cfg: fileLayer(layers.defaults, 'the defaults'), base: absRoot }];
  if (layers.file) stack.push({ cfg: fileLayer(layers.file.data, layers.file.source), base: absRoot });
  if (layers.env) stack.push({ cfg: envLayer(layers.env), base: cwd });
  if (layers.flags) stack.push({ cfg: flagsLayer(layers.flags), base: cwd });

  const get = <T>(pick: (c: FileConfig) => T | undefined, fallback: T): T => highest(stack, pick)?.value ?? fallback;
  const dirs = highest(stack, (c) => c.dirs);
  const logDir = highest(stack, (c) => c.logDir);
  const t = (k: 'reload' | 'verify' | 'rollback' | 'status', s: number) => Math.round(get((c) => c.timeouts?.[k], s) * 1000);

  const config: Config = {
    root: absRoot,
    targets: mergeTargets(stack),
    dirs: [...new Set((dirs?.value ?? ['src']).map((d) => path.resolve(dirs?.base ?? absRoot, d)))],
    ignore: [...get((c) => c.ignore, [])],
    modules: [...get((c) => c.modules, [])],
    cooldownMs: Math.round(get((c) => c.cooldown, 5) * 1000),
    debounceMs: get((c) => c.debounceMs, DEFAULT_DEBOUNCE_MS),
    timeouts: { reloadMs: t('reload', 60), verifyMs: t('verify', 15), rollbackMs: t('rollback', 30), statusMs: t('status', 5) },
    endpoints: mergeEndpoints(stack),
    probes: get((c) => c.probes, []).map(toProbe),
    advisoryChecks: [...new Set(get((c) => c.advisoryChecks, []))],
    logDir: path.resolve(logDir?.base ?? absRoot, logDir?.value ?? 'logs/hot_reload_errors'),
    verify: get((c) => c.verify, true),
    strategy: get((c) => c.strategy, 'canary'),
    parallel: get((c) => c.parallel, 4),
    allowMissing: get((c) => c.allowMissing, false),
    json: layers.flags?.json ?? false,
    tui: layers.flags?.tui ?? true,
  };
  return deepFreeze(config);
}
