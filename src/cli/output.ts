// Plain-words lines (or JSON) for results and checks. Colour only on a TTY without NO_COLOR.
// Every text from outside (check names and details, server messages, stacks, file names)
// passes visible()/visibleLine() before it is printed; --json needs none (JSON escapes).
import { isFailure } from '../engine/pipeline.js';
import type { ReloadErrorInfo } from '../protocol/wire.js';
import type { CheckResult, ReloadAttempt, RunResult, TargetOutcome, TargetResult } from '../types.js';
import { visible, visibleLine } from '../protocol/visible.js';

export interface Style {
  ok(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
const plain: Style = { ok: (s) => s, bad: (s) => s, warn: (s) => s, dim: (s) => s };
const ansi: Style = { ok: wrap(32, 39), bad: wrap(31, 39), warn: wrap(33, 39), dim: wrap(2, 22) };

/** Colour when writing to a terminal, unless NO_COLOR is set (FORCE_COLOR forces it). */
export function styleFor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): Style {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return plain;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return ansi;
  return stream.isTTY && env.TERM !== 'dumb' ? ansi : plain;
}

const ms = (n: number | undefined) => (n === undefined ? '' : ` (${n < 10 ? n.toFixed(1) : Math.round(n)} ms)`);

export function checkLine(c: CheckResult, s: Style): string {
  if (c.skipped) return `${s.dim('–')} ${visibleLine(c.name)} — ${s.dim(`skipped: ${visibleLine(c.detail)}`)}`;
  // an advisory check that fails is shown, not counted: ⚠, never ✖
  if (!c.ok && c.advisory) return `${s.warn('⚠')} ${visibleLine(c.name)} — ${s.warn('advisory:')} ${visibleLine(c.detail)}${c.durationMs === undefined ? '' : s.dim(ms(c.durationMs))}`;
  const icon = c.ok ? s.ok('✔') : s.bad('✖');
  return `${icon} ${visibleLine(c.name)} — ${visibleLine(c.detail)}${c.durationMs === undefined ? '' : s.dim(ms(c.durationMs))}`;
}

/** `version 2 → 3 ↩ 2`: a rolled-back attempt names the version that failed, not only the one left serving. */
export function versionText(
  a: Pick<ReloadAttempt, 'versionBefore' | 'versionAfter'> & { versionActivated?: number; outcome?: TargetOutcome },
): string {
  const undone = a.outcome === 'rolled-back' && a.versionActivated !== undefined && a.versionActivated !== a.versionAfter;
  if (undone) return `version ${a.versionBefore !== undefined ? `${a.versionBefore} → ` : ''}${a.versionActivated} ↩ ${a.versionAfter ?? '?'}`;
  return plainVersionText(a);
}

const plainVersionText = (a: Pick<ReloadAttempt, 'versionBefore' | 'versionAfter'>) =>
  a.versionBefore !== undefined && a.versionAfter !== undefined && a.versionBefore !== a.versionAfter
    ? `version ${a.versionBefore} → ${a.versionAfter}`
    : a.versionAfter !== undefined
      ? `version ${a.versionAfter}`
      : '';

const TARGET_MARK: Record<TargetOutcome, { icon: (s: Style) => string; label: string }> = {
  ok: { icon: (s) => s.ok('✔'), label: 'ok' },
  'rolled-back': { icon: (s) => s.warn('↺'), label: 'rolled back' },
  failed: { icon: (s) => s.bad('✖'), label: 'failed' },
  'rollback-failed': { icon: (s) => s.bad('‼'), label: 'ROLLBACK FAILED' },
  unreachable: { icon: (s) => s.bad('⚠'), label: 'unreachable' },
  skipped: { icon: (s) => s.dim('–'), label: 'skipped' },
};

/** One line per fleet target, each followed by the checks that failed on it. */
export function targetLines(targets: readonly TargetResult[], s: Style): string[] {
  const lines: string[] = [];
  for (const t of targets) {
    const m = TARGET_MARK[t.outcome];
    const v = versionText(t);
    lines.push(`${m.icon(s)} ${visibleLine(t.name)}: ${m.label}${v ? ` · ${v}` : ''} — ${visibleLine(t.message)}`);
    for (const c of [...(t.checks ?? []), ...(t.reverifyChecks ?? [])]) if (isFailure(c)) lines.push(`    ${checkLine(c, s)}`);
  }
  return lines;
}

/** The lines for one finished attempt or one-shot command. */
export function resultLines(r: RunResult, s: Style): string[] {
  const a = r.attempt;
  const took = a?.durationMs !== undefined ? ` ${s.dim(`in ${Math.round(a.durationMs)} ms`)}` : '';
  if (a?.targets && a.targets.length > 1) {
    // a fleet: the verdict is per target; the fleet's message names who failed and what was undone
    return [...targetLines(a.targets, s), `${r.ok ? s.ok('✔') : s.bad('✖')} ${r.kind}: ${visibleLine(r.message)}${took}`];
  }
  // the attempt's own checks decided the outcome; r.checks are the final (post-rollback)
  // ones, listed below as "after the rollback" — falling back to them would print them twice
  const lines = (a ? a.checks : r.checks).map((c) => checkLine(c, s));
  if (a) {
    for (const step of a.steps) {
      if (step.step === 'rollback') lines.push(step.ok ? `${s.warn('↩')} ${visibleLine(step.detail)}` : `${s.bad('✖')} rollback — ${visibleLine(step.detail)}`);
    }
    if (a.reverifyChecks && a.reverifyChecks.length > 0) {
      lines.push(s.dim('after the rollback:'));
      for (const c of a.reverifyChecks) lines.push(`  ${checkLine(c, s)}`);
    }
  }
  const v = a ? versionText(a) : '';
  const undone = v.includes('↩'); // the message says "rolled back to version N", not which one failed
  const summary = `${visibleLine(r.message)}${v && (undone || !r.message.includes('version')) ? ` · ${v}` : ''}${took}`;
  // files the service loaded through Node changed: it serves stale code, a warning
  const mark = !r.ok ? s.bad('✖') : a?.notReloadable?.length ? s.warn('⚠') : s.ok('✔');
  lines.push(`${mark} ${r.kind}: ${summary}`);
  if (a?.notReleased) lines.push(`${s.warn('⚠')} ${visibleLine(a.notReleased)}`); // type names come from the server
  if (a?.error) lines.push(...frameLines(a.error).map((l) => s.dim(l)));
  return lines;
}

const FRAME_LINES = 6;
const FRAME_WIDTH = 160;

/**
 * The first lines of a load error's code frame or stack, indented under the result: the
 * message line is already printed, and so is the frame naming exactly its location.
 */
export function frameLines(e: ReloadErrorInfo): string[] {
  if (!e.stack) return [];
  const lines = e.stack.split('\n').map((l) => l.replace(/\s+$/, ''));
  if (lines[0]?.includes(e.message) || lines[0] === e.message.split('\n')[0]) lines.shift();
  // (compared raw, shown made visible: the width cut below counts what is shown)
  const at = e.file !== undefined && e.line !== undefined ? `at ${e.file}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : undefined;
  // a caret under an empty line (an error at the end of the file) points at nothing
  const kept = lines.filter((l, i) => l.trim() !== at && !(l.trim() === '' && /^\s*\^$/.test(lines[i + 1] ?? '')) && !(/^\s*\^$/.test(l) && lines[i - 1]?.trim() === ''));
  while (kept.length > 0 && kept[kept.length - 1].trim() === '') kept.pop();
  const shown = kept.slice(0, FRAME_LINES).map((l) => `    ${[...visible(l.replace(/^\s{0,4}/, ''))].slice(0, FRAME_WIDTH).join('')}`);
  if (kept.length > FRAME_LINES) shown.push(`    … ${kept.length - FRAME_LINES} more lines`);
  return shown;
}

/** The --json form of a result: one object, stable keys. */
export function resultJson(r: RunResult): Record<string, unknown> {
  const a = r.attempt;
  return {
    type: 'result',
    kind: r.kind,
    ok: r.ok,
    exitCode: r.exitCode,
    message: r.message,
    ...(a
      ? {
          outcome: a.outcome,
          reason: a.reason,
          files: a.files,
          modules: a.modules,
          versionBefore: a.versionBefore,
          versionAfter: a.versionAfter,
          ...(a.versionActivated !== undefined ? { versionActivated: a.versionActivated } : {}),
          ...(a.error ? { error: a.error } : {}),
          ...(a.failedModules ? { failedModules: a.failedModules } : {}),
          durationMs: a.durationMs,
          steps: a.steps,
          attemptChecks: a.checks,
          ...(a.reverifyChecks ? { reverifyChecks: a.reverifyChecks } : {}),
          ...(a.targets ? { targets: a.targets } : {}),
          ...(a.warnings ? { warnings: a.warnings } : {}),
          ...(a.notReleased ? { notReleased: a.notReleased } : {}),
          ...(a.notReloadable ? { notReloadable: a.notReloadable } : {}),
        }
      : {}),
    checks: r.checks,
  };
}
