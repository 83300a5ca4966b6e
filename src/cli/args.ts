// argv → what to do. Strict: an unknown flag or a contradictory combination is a usage
// error (exit 2) that names the flag and points at --help.
import { parseArgs } from 'node:util';
import type { CliFlags } from '../config/layers.js';
import type { ReloadReason } from '../protocol/wire.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2 as const;
}

export type Command = 'watch' | 'trigger' | 'verify' | 'rollback' | 'help' | 'version';

export interface ParsedCli {
  command: Command;
  flags: CliFlags;
  reason?: ReloadReason;
  /** hidden: run by the git post-commit hook; reload only files of HEAD in watched dirs */
  gitHook: boolean;
}

export const SUBCOMMANDS = ['serve', 'dev', 'demo', 'install-hook'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

const REASONS: readonly ReloadReason[] = ['watch', 'manual', 'git-hook', 'deploy'];

const OPTIONS = {
  watch: { type: 'boolean' },
  trigger: { type: 'boolean' },
  verify: { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  rollback: { type: 'boolean' },
  module: { type: 'string', multiple: true },
  'api-url': { type: 'string', multiple: true },
  dir: { type: 'string', multiple: true },
  cooldown: { type: 'string' },
  config: { type: 'string' },
  token: { type: 'string' },
  'log-dir': { type: 'string' },
  strategy: { type: 'string' },
  parallel: { type: 'string' },
  'allow-missing': { type: 'boolean' },
  'advisory-check': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'no-tui': { type: 'boolean' },
  reason: { type: 'string' },
  'git-hook': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const HELP_HINT = 'see auto-hot-reload --help';

/** Turns node:util's parse errors into one line naming the flag. */
export function usageFromParseError(e: unknown): UsageError {
  const text = e instanceof Error ? e.message : String(e);
  const unknown = text.match(/Unknown option '([^']+)'/);
  if (unknown) return new UsageError(`unknown option ${unknown[1]} (${HELP_HINT})`);
  const missing = text.match(/Option '(-\w, )?(--[\w-]+)[^']*' argument missing/);
  if (missing) return new UsageError(`${missing[2]} needs a value (${HELP_HINT})`);
  const positional = text.match(/Unexpected argument '([^']+)'/);
  if (positional) return new UsageError(`unexpected argument "${positional[1]}" (${HELP_HINT})`);
  return new UsageError(`${text.split('\n')[0]} (${HELP_HINT})`);
}

/**
 * `--cooldown -1`: node's parseArgs takes `-1` for an option and calls the flag's
 * argument ambiguous. A negative number after a flag that takes a value is its value, so
 * the config's validation names what is wrong with it ("-1 is negative …").
 */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const takesValue = name !== undefined && (OPTIONS as Record<string, { type: string }>)[name]?.type === 'string';
    const next = argv[i + 1];
    if (takesValue && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export function parseCli(argv: readonly string[]): ParsedCli {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: joinNegativeValues(argv), options: OPTIONS, strict: true, allowPositionals: true }));
  } catch (e) {
    throw usageFromParseError(e);
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (${HELP_HINT})`);

  const flags: CliFlags = {};
  const v = values as {
    watch?: boolean; trigger?: boolean; verify?: boolean; 'no-verify'?: boolean; rollback?: boolean;
    module?: string[]; 'api-url'?: string[]; dir?: string[]; cooldown?: string; config?: string; token?: string;
    'log-dir'?: string; 'advisory-check'?: string[]; strategy?: string; parallel?: string; 'allow-missing'?: boolean; json?: boolean; 'no-tui'?: boolean; reason?: string; 'git-hook'?: boolean; help?: boolean; version?: boolean;
  };
  if (v.help) return { command: 'help', flags, gitHook: false };
  if (v.version) return { command: 'version', flags, gitHook: false };

  const modes = (['watch', 'trigger', 'rollback'] as const).filter((m) => v[m]);
  if (modes.length > 1) throw new UsageError(`--${modes[0]} and --${modes[1]} cannot be combined (${HELP_HINT})`);
  if (v.verify && v['no-verify']) throw new UsageError(`--verify and --no-verify cannot be combined (${HELP_HINT})`);
  if (v.verify && (v.rollback || v.watch)) throw new UsageError(`--verify cannot be combined with --${v.rollback ? 'rollback' : 'watch'} (${HELP_HINT})`);
  if (v['no-verify'] && v.rollback) throw new UsageError(`--no-verify only applies to --trigger or --watch (${HELP_HINT})`);
  if (v['git-hook'] && !v.trigger) throw new UsageError(`--git-hook only applies to --trigger (${HELP_HINT})`);

  let command: Command = 'watch';
  if (v.trigger || v['git-hook']) command = 'trigger';
  else if (v.rollback) command = 'rollback';
  else if (v.verify) command = 'verify';

  let reason: ReloadReason | undefined;
  if (v.reason !== undefined) {
    if (!(REASONS as readonly string[]).includes(v.reason)) {
      throw new UsageError(`--reason: ${JSON.stringify(v.reason)} is not a reason (expected one of ${REASONS.join(', ')})`);
    }
    reason = v.reason as ReloadReason;
  }
  if (v['git-hook']) reason ??= 'git-hook';

  if (v['api-url']) flags.apiUrl = v['api-url'];
  if (v.module) flags.module = v.module;
  if (v.dir) flags.dir = v.dir;
  if (v.cooldown !== undefined) flags.cooldown = v.cooldown;
  if (v.config !== undefined) flags.config = v.config;
  if (v.token !== undefined) flags.token = v.token;
  if (v['log-dir'] !== undefined) flags.logDir = v['log-dir'];
  if (v.strategy !== undefined) flags.strategy = v.strategy;
  if (v.parallel !== undefined) flags.parallel = v.parallel;
  if (v['allow-missing']) flags.allowMissing = true;
  if (v['advisory-check']) flags.advisoryCheck = v['advisory-check'];
  if (v.json) flags.json = true;
  if (v['no-tui']) flags.tui = false;
  if (v['no-verify']) flags.verify = false;
  else if (v.verify && command === 'trigger') flags.verify = true;

  return { command, flags, reason, gitHook: v['git-hook'] ?? false };
}
