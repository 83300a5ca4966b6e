// Pure text helpers for the TUI: every line is cut to the terminal width here, never
// wrapped by the terminal (wrapped lines leave ghosts on resize, ink #304).

/** Visible length in code points (our texts are single-width; Ink's truncate is the safety net). */
export const textWidth = (s: string): number => [...s].length;

/** Cut `s` to `max` code points, replacing the tail with `…`. */
export function truncateEnd(s: string, max: number): string {
  if (max <= 0) return '';
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max === 1) return '…';
  return chars.slice(0, max - 1).join('') + '…';
}

/** Cut `s` to `max` code points keeping both ends: `abcd…wxyz`. */
export function truncateMiddle(s: string, max: number): string {
  if (max <= 0) return '';
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max === 1) return '…';
  const keep = max - 1;
  const head = Math.floor(keep / 2); // the end of a name (extension) says more than its start
  const tail = keep - head;
  return chars.slice(0, head).join('') + '…' + (tail > 0 ? chars.slice(chars.length - tail).join('') : '');
}

/**
 * Shorten a path from the middle on segment boundaries: `src/a/b/deep/file.ts` →
 * `src/…/deep/file.ts`. The first segment and the file name survive as long as they fit,
 * because those are what a reader recognizes.
 */
export function shortenPath(p: string, max: number): string {
  if (max <= 0) return '';
  if (textWidth(p) <= max) return p;
  const parts = p.split('/');
  if (parts.length >= 3) {
    const first = parts[0];
    // take as many trailing segments as fit after "first/…/"
    let tail: string[] = [];
    for (let i = parts.length - 1; i >= 1; i--) {
      const candidate = [parts[i], ...tail];
      if (textWidth(`${first}/…/${candidate.join('/')}`) > max) break;
      tail = candidate;
    }
    if (tail.length > 0) return `${first}/…/${tail.join('/')}`;
    const file = parts[parts.length - 1];
    if (textWidth(`…/${file}`) <= max) return `…/${file}`;
  }
  return truncateMiddle(p, max);
}

/** Pad (or cut) to exactly `n` code points. */
export function padEnd(s: string, n: number): string {
  const w = textWidth(s);
  return w >= n ? truncateEnd(s, n) : s + ' '.repeat(n - w);
}

/** A duration for humans: `120ms`, `1.2s`, `5m 02s`, `2h 05m`, `3d 04h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) {
    const s = Math.floor(ms / 100) / 10; // floor: never show 60.0s
    return `${s.toFixed(1)}s`;
  }
  const totalS = Math.floor(ms / 1000);
  if (totalS < 3600) return `${Math.floor(totalS / 60)}m ${String(totalS % 60).padStart(2, '0')}s`;
  const totalM = Math.floor(totalS / 60);
  if (totalM < 24 * 60) return `${Math.floor(totalM / 60)}h ${String(totalM % 60).padStart(2, '0')}m`;
  const totalH = Math.floor(totalM / 60);
  return `${Math.floor(totalH / 24)}d ${String(totalH % 24).padStart(2, '0')}h`;
}

/**
 * A service's uptime, to the minute: `<1m`, `5m`, `3h 07m`, `2d 04h`. The header is redrawn
 * only when what it shows changes, so an idle TUI redraws once a minute, not every poll.
 */
export function formatUptime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const totalM = Math.floor(ms / 60_000);
  if (totalM < 1) return '<1m';
  if (totalM < 60) return `${totalM}m`;
  const totalH = Math.floor(totalM / 60);
  if (totalH < 24) return `${totalH}h ${String(totalM % 60).padStart(2, '0')}m`;
  return `${Math.floor(totalH / 24)}d ${String(totalH % 24).padStart(2, '0')}h`;
}

/** How long ago `then` was, seen from `now`: `just now`, `5s ago`, `3m ago`, `2h ago`, `4d ago`. */
export function formatAgo(then: number, now: number): string {
  const d = now - then;
  if (d < 1000) return 'just now';
  if (d < 60_000) return `${Math.floor(d / 1000)}s ago`;
  if (d < 3_600_000) return `${Math.floor(d / 60_000)}m ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3_600_000)}h ago`;
  return `${Math.floor(d / 86_400_000)}d ago`;
}

/** Seconds left of a countdown, rounded up so it reads 1s until it is really over: `3s`. */
export function formatSecondsLeft(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))}s`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** Local wall-clock time `HH:MM:SS`. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Local `MM-DD HH:MM:SS` (the error log spans earlier runs, so the day matters). */
export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  if (Number.isNaN(d.getTime())) return '??-?? ??:??:??';
  return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${formatClock(epochMs)}`;
}

/** A bar of `width` cells, `fraction` (0..1) of them filled. */
export function progressBar(fraction: number, width: number): string {
  if (width <= 0) return '';
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** The first 8 characters of a boot id: enough to tell two boots apart at a glance. */
export const shortId = (id: string): string => id.slice(0, 8);

/** `v11 → v12`, `v11`, or `–` when the server gives no version information. */
export function formatVersionChange(before?: number, after?: number): string {
  if (before === undefined && after === undefined) return '–';
  if (before === undefined) return `→ v${after}`;
  if (after === undefined || after === before) return `v${before}`;
  return `v${before} → v${after}`;
}

/**
 * Wraps one line to `width` code points (we wrap in JavaScript; the terminal never does).
 * A chunk breaks at its last space in the second half; failing that, at its last space or
 * after its last path separator (`/`, `\\`) past the first quarter, so `greeting.js:7:9` stays whole and can be copied; only a
 * chunk with neither is cut hard.
 */
export function wrapLine(text: string, width: number): string[] {
  if (width <= 0) return [''];
  const out: string[] = [];
  let rest = [...text];
  while (rest.length > width) {
    let cut = width;
    const half = Math.floor(width / 2);
    const space = rest.lastIndexOf(' ', width);
    const sep = Math.max(rest.lastIndexOf('/', width - 1), rest.lastIndexOf('\\', width - 1));
    const best = Math.max(space, sep + 1);
    if (space >= half) cut = space;
    else if (best >= Math.floor(width / 4) && best > 0) cut = best;
    out.push(rest.slice(0, cut).join('').trimEnd());
    rest = rest.slice(cut);
    if (rest[0] === ' ') rest = rest.slice(1);
  }
  out.push(rest.join(''));
  return out;
}

/** `/a/b/c.js` → `c.js` (the part of a path a reader recognizes). */
export const baseName = (p: string): string => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1) || p;
