// Protocol v1 (../shared/DESIGN.md): the wire shapes shared by the client and the agent.
// Snake_case on the wire, as the old server. The client validates answers with the
// schemas of schemas.ts; they are lenient (unknown fields ignored, optional fields
// optional) so foreign and old servers pass, but a wrong type is an error.

export const DEFAULT_PREFIX = '/api/v1/hot-reload';
export const DEFAULT_API_URL = 'http://localhost:8001';
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_HINT_BYTES = 4096;
/** entries in a reload request's `files` and `modules` together; more is a 400 */
export const MAX_HINTS = 50_000;

export type ReloadReason = 'watch' | 'manual' | 'git-hook' | 'deploy';

export interface ReloadRequest {
  modules?: string[];
  files?: string[];
  reason?: ReloadReason;
}

export interface RollbackRequest {
  from_version?: number;
}

export interface ReloadErrorInfo {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  stack?: string;
}

export interface LastReload {
  id: string;
  ok: boolean;
  version: number;
  started_at: string;
  duration_ms: number;
  modules: string[];
  error?: ReloadErrorInfo;
}

export interface Status {
  running?: boolean;
  state?: 'idle' | 'reloading';
  version?: number;
  versions_kept?: number[];
  boot_id?: string;
  pid?: number;
  started_at?: string;
  uptime_ms?: number;
  last_reload?: LastReload | null;
  agent?: { name: string; version: string };
  /**
   * Loaded modules (relative to the agent's root) whose file on disk differs from what the
   * active version runs: changes no reload has brought in yet (a client killed in its
   * cooldown). Watch mode reloads them when it starts. Absent from foreign servers.
   */
  stale_files?: string[];
  /** the old server (HiFate-bazi): its own reload loop's interval, in seconds */
  interval?: number;
  /** the old server: per-reloader versions; `changed` is consumed by every status read there */
  versions?: Record<string, ReloaderVersion>;
  /** the old server: how many files its file monitor watches */
  file_monitor?: { monitored_files?: number; changed_files?: number };
}

export interface ReloaderVersion {
  current?: number;
  cached?: number;
  changed?: boolean;
}

export interface StatusResponse {
  success: boolean;
  status: Status;
}

export interface ReloadResult {
  success: boolean;
  message: string;
  reloaded_modules: string[];
  failed_modules: string[];
  version?: number;
  previous_version?: number;
  activated?: boolean;
  duration_ms?: number;
  error?: ReloadErrorInfo;
  /** live resources (by type) that grew through the reload: the replaced version's, not released */
  not_released?: Record<string, number>;
  /** `files` hints that name no module the service has loaded (a config file read with fs, a template) */
  not_loaded?: string[];
  /** changed files the process loaded through Node itself (third-party packages): stale until a restart */
  not_reloadable?: string[];
}

/**
 * The words for `not_released` everywhere (agent log, reload result, TUI, headless):
 * "version 5 left 1 TCPServerWrap and 2 Timeout not released".
 */
export function notReleasedText(version: number | undefined, counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([type, n]) => `${n} ${type}`);
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0];
  return `${version !== undefined ? `version ${version}` : 'the previous version'} left ${list} not released`;
}

export interface CheckOutcome {
  ok: boolean;
  detail: string;
}

export interface VerifyResponse {
  success: boolean;
  checks: Record<string, CheckOutcome>;
}

export interface RollbackResponse {
  success: boolean;
  message: string;
  version?: number;
  rolled_back_from?: number;
  not_released?: Record<string, number>;
}

export interface ErrorBody {
  success: false;
  message: string;
}

/**
 * The old server's dialect (HiFate-bazi): a status without `version` and `agent`. Its
 * status read has a side effect (it consumes the server's "changed" flag), it has no
 * version to roll back to, and it offers `POST {prefix}/reload/{module}`.
 */
export const isLegacyStatus = (s: Status): boolean => s.version === undefined && s.agent === undefined;
