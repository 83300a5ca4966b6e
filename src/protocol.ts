// Protocol v1 (../shared/DESIGN.md): the wire shapes shared by the client and the agent.
// Snake_case on the wire, as the old server. The client validates answers with the
// schemas below; they are lenient (unknown fields ignored, optional fields optional)
// so foreign and old servers pass, but a wrong type is an error.
import { z } from 'zod';

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

// ---- lenient schemas for what the client receives --------------------------------

const optNum = z.number().finite().optional();
/** versions count activated reloads: whole numbers from 0 (a fraction or -1 is a broken server) */
const version = z.number().int().nonnegative();
const optVersion = version.optional();
const strList = z.array(z.string()).optional().default([]);

export const reloadErrorInfoSchema = z.object({
  message: z.string(),
  file: z.string().optional(),
  line: optNum,
  column: optNum,
  stack: z.string().optional(),
});

export const statusSchema = z.object({
  running: z.boolean().optional(),
  state: z.string().optional(),
  version: optVersion,
  versions_kept: z.array(version).optional(),
  boot_id: z.string().optional(),
  pid: optNum,
  started_at: z.string().optional(),
  uptime_ms: optNum,
  last_reload: z
    .object({
      id: z.string().optional(),
      ok: z.boolean().optional(),
      version: optVersion,
      started_at: z.string().optional(),
      duration_ms: optNum,
      modules: z.array(z.string()).optional(),
      error: reloadErrorInfoSchema.optional(),
    })
    .nullable()
    .optional(),
  agent: z.object({ name: z.string(), version: z.string() }).partial().optional(),
  // null means absent, as everywhere in the protocol
  stale_files: z
    .array(z.string())
    .nullable()
    .optional()
    .transform((v) => v ?? undefined),
});

/**
 * `{success, status: Status}`; the old server sometimes nests the status one level
 * deeper (`status.status`) or answers the fields at the top level. All are accepted.
 */
export const statusResponseSchema = z
  .object({ success: z.boolean().optional(), status: z.unknown().optional() })
  .passthrough()
  .transform((raw, ctx) => {
    let candidate: unknown = raw.status ?? raw;
    if (candidate && typeof candidate === 'object' && 'status' in candidate) {
      const inner = (candidate as { status: unknown }).status;
      if (inner && typeof inner === 'object') candidate = inner;
    }
    const parsed = statusSchema.safeParse(typeof candidate === 'object' && candidate !== null ? candidate : {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['status', ...issue.path] } as never);
      return z.NEVER;
    }
    return { success: raw.success ?? true, status: parsed.data };
  });

export const reloadResultSchema = z.object({
  success: z.boolean(),
  message: z.string().optional().default(''),
  reloaded_modules: strList,
  failed_modules: strList,
  version: optVersion,
  previous_version: optVersion,
  activated: z.boolean().optional(),
  duration_ms: optNum,
  error: reloadErrorInfoSchema.optional(),
  not_released: z.record(z.string(), z.number()).optional(),
  not_loaded: z.array(z.string()).optional(),
  not_reloadable: z.array(z.string()).optional(),
});

export const verifyResponseSchema = z.object({
  success: z.boolean(),
  checks: z
    .record(
      z.string(),
      z.union([
        z.object({ ok: z.boolean(), detail: z.string().optional().default('') }),
        // old server: {name: true|false}
        z.boolean().transform((ok) => ({ ok, detail: '' })),
      ]),
    )
    .optional()
    .default({}),
});

export const rollbackResponseSchema = z.object({
  success: z.boolean(),
  message: z.string().optional().default(''),
  version: optVersion,
  rolled_back_from: optVersion,
});

export const errorBodySchema = z.object({ message: z.string() }).passthrough();
