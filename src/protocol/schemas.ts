// How the client checks what it receives: lenient zod schemas for every answer of the
// protocol (wire.ts has the shapes). Only the client loads this: the agent runs inside the
// user's service, where zod's few MB of heap would be marked at every major GC.
import { z } from 'zod';

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
