// Engine messages made to fit a line: the useful part (the reason, the fix) must survive
// the cut. Client errors read "GET http://host/path: service unreachable (connection
// refused)"; the header already shows the URL, so the reason is what is left.
import { textWidth, truncateMiddle, wrapLine } from './format.js';

const REQUEST_PREFIX = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+: /;

/** The reason of a failed contact without the request it came from: `connection refused`. */
export function shortReason(message: string): string {
  let s = message.replace(/\s*\n\s*/g, ' ').trim().replace(REQUEST_PREFIX, '');
  const unreachable = /^service unreachable \((.+)\)$/.exec(s);
  if (unreachable) s = unreachable[1];
  return s;
}

/**
 * A warning without repetition: "(GET http://h/health: service unreachable (…))" after the
 * same URL was already named keeps only the reason.
 */
export function compactWarning(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  const once = flat.replace(/\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (https?:\/\/\S+?): /g, (whole, url: string, offset: number) => {
    const origin = /^https?:\/\/[^/]+/.exec(url)?.[0] ?? url;
    return flat.slice(0, offset).includes(origin) ? '' : whole;
  });
  // "(service unreachable (connection refused))" says no more than "(connection refused)"
  return once.replace(/service unreachable \(([^()]+)\)/g, '$1');
}

/** URLs without their origin (`…/health`): the header names the service already. */
export const dropOrigins = (text: string): string => text.replace(/https?:\/\/[^/\s)]+(?=\/)/g, '…');

/** The longest `n` in [lo, hi] for which `ok(n)` holds (ok is monotone: true up to a point), or lo - 1. */
function longest(lo: number, hi: number, ok: (n: number) => boolean): number {
  let best = lo - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * A warning in at most `maxLines` lines of `width` columns (each line's own text, without
 * the `⚠ ` / indent of 2). It wraps when it may; when it still does not fit, the middle
 * of the problem is shortened so the fix after the last ` — ` stays readable whole.
 */
export function warningLines(text: string, width: number, maxLines: number): string[] {
  const inner = Math.max(1, width - 2);
  const lines = Math.max(1, maxLines);
  const body = compactWarning(text);
  const fits = (s: string): boolean => wrapLine(s, inner).length <= lines;
  if (fits(body)) return wrapLine(body, inner);
  // URLs are the longest and least telling part: their origins go first
  const short = dropOrigins(body);
  if (fits(short)) return wrapLine(short, inner);
  return shortenToFit(short, inner, lines, fits);
}

function shortenToFit(body: string, inner: number, lines: number, fits: (s: string) => boolean): string[] {
  const dash = body.lastIndexOf(' — ');
  const head = dash > 0 ? body.slice(0, dash) : body;
  const fix = dash > 0 ? body.slice(dash) : '';
  const withHead = (n: number): string => truncateMiddle(head, n) + fix;
  // keep the fix whole while the problem still gets a readable share of the room
  const n = fix && textWidth(fix) <= lines * inner - 12 ? longest(8, textWidth(head), (k) => fits(withHead(k))) : 0;
  if (n >= 8) return wrapLine(withHead(n), inner);
  const m = longest(1, textWidth(body), (k) => fits(truncateMiddle(body, k)));
  return wrapLine(truncateMiddle(body, Math.max(1, m)), inner);
}

/** Lines a warning wants at `width`: 1, or 2 when it is longer than a line. */
export const warningRowsWanted = (text: string, width: number): number => (textWidth(compactWarning(text)) <= Math.max(1, width - 2) ? 1 : 2);
