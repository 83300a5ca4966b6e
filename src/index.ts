// The package entry (`import … from 'auto-hot-reload'`): what deploy and dev-flow scripts
// need to run trigger / verify / rollback in-process and read structured results.
export { createEngine, type Engine, type EngineDeps } from './engine.js';
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
export { createErrorLog, readErrorLog, type ErrorLog } from './errorlog.js';
export type * from './types.js';
export type * from './protocol.js';
