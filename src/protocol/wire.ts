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

// ---- lenient schemas for what the client receives --------------------------------

const MAX_DEPTH = 64;

/**
 * `null` in a field means the field is absent (DESIGN.md; the old server sends `null` for
 * every optional field: ../shared/seed-server-wire/). Applied once, to a whole answer,
 * before its schema sees it: no field needs to say `.nullable()`. Elements of lists stay
 * as they are (`[null]` is a wrong element, not an absent one). Deeper than MAX_DEPTH is
 * left alone: no answer of ours is that deep, and the schema then reports what it finds.
 */
export function withoutNulls(v: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => (x !== null && typeof x === 'object' ? withoutNulls(x, depth + 1) : x));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = withoutNulls(x, depth + 1);
  return out;
}

/** A response schema that reads `null` as absent (see withoutNulls). */
const answer = <S extends z.ZodType>(schema: S) => z.preprocess((v) => withoutNulls(v), schema);

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
  interval: optNum,
  versions: z
    .record(z.string(), z.object({ current: optNum, cached: optNum, changed: z.boolean().optional() }))
    .optional(),
  file_monitor: z.object({ monitored_files: optNum, changed_files: optNum }).optional(),
});

/**
 * The old server's dialect (HiFate-bazi): a status without `version` and `agent`. Its
 * status read has a side effect (it consumes the server's "changed" flag), it has no
 * version to roll back to, and it offers `POST {prefix}/reload/{module}`.
 */
export const isLegacyStatus = (s: Status): boolean => s.version === undefined && s.agent === undefined;

/** `{success, status: Status}`; a status answered at the top level is accepted too. */
export const statusResponseSchema = answer(
  z
    .object({ success: z.boolean().optional(), status: z.unknown().optional() })
    .passthrough()
    .transform((raw, ctx) => {
      const candidate: unknown = raw.status !== undefined && typeof raw.status === 'object' ? raw.status : raw;
      const parsed = statusSchema.safeParse(candidate);
      if (!parsed.success) {
        const inner = candidate === raw ? [] : ['status'];
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [...inner, ...issue.path] } as never);
        return z.NEVER;
      }
      return { success: raw.success ?? true, status: parsed.data };
    }),
);

export const reloadResultSchema = answer(z.object({
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
}));

export const verifyResponseSchema = answer(z.object({
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
}));

export const rollbackResponseSchema = answer(z.object({
  success: z.boolean(),
  message: z.string().optional().default(''),
  version: optVersion,
  rolled_back_from: optVersion,
}));

export const errorBodySchema = z.object({ message: z.string() }).passthrough();
