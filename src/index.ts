// The package entry (`import … from 'auto-hot-reload'`): what deploy and dev-flow scripts
// need to run trigger / verify / rollback in-process and read structured results.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultLayer, DEFAULT_DIRS, mergeConfig } from './config/index.js';
import type { FileConfig } from './config/index.js';
import { createEngine as createEngineFromConfig, type Engine, type EngineDeps } from './engine/engine.js';
import type { Config } from './types.js';

/** Options as in hot-reload.config.json (camelCase, seconds), plus the project root. */
export type EngineOptions = FileConfig & { root?: string };

const isConfig = (c: Config | EngineOptions): c is Config =>
  typeof (c as Config).timeouts?.reloadMs === 'number' && Array.isArray((c as Config).targets) && typeof (c as Config).root === 'string';

/**
 * An engine from a complete Config (what `loadConfig`/`mergeConfig` return), or from
 * config-file style options, validated like a config file: a bad value throws ConfigError
 * naming the key, the value and what was expected.
 */
export function createEngine(config: Config | EngineOptions, deps?: EngineDeps): Engine {
  if (isConfig(config)) return createEngineFromConfig(config, deps);
  const { root: rootOpt, ...data } = config;
  const root = path.resolve(rootOpt ?? process.cwd());
  const existing = DEFAULT_DIRS.filter((d) => existsSync(path.join(root, d)));
  return createEngineFromConfig(mergeConfig({ defaults: defaultLayer(existing), file: { source: 'createEngine options', data } }, root), deps);
}

export type { Engine, EngineDeps };
export { loadConfig, mergeConfig, defaultLayer, ConfigError, isConfigError } from './config/index.js';
export type { CliFlags, LoadConfigOptions, FileConfig } from './config/index.js';
export { createClient, type ApiClient } from './client/client.js';
export {
  ClientError,
  UnreachableError,
  TimeoutError,
  HttpError,
  InvalidResponseError,
  isClientError,
} from './client/errors.js';
export { createErrorLog, readErrorLog, type ErrorLog } from './engine/errorlog.js';
export type * from './types.js';
export type * from './protocol/wire.js';
