// Configuration: validated layers merged into the engine's readonly Config.
export { ConfigError, isConfigError } from './errors.js';
export { loadConfig, type LoadConfigOptions } from './load.js';
export { mergeConfig, defaultLayer, DEFAULT_DIRS, DEFAULT_CONFIG_FILE, type ConfigLayers } from './merge.js';
export type { CliFlags, Env } from './layers.js';
export type { FileConfig } from './schema.js';
