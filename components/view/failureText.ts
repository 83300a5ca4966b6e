// A failure's reason the way a reader needs it: the file:line first (what to open), then
// the reason, and the request's URL last (the header names the service already). Wrapped
// over a few lines instead of cut, at spaces or path separators so `greeting.js:7:9`
// stays whole.
import { visibleLine } from '../../src/protocol/visible.js';
import { truncateEnd, wrapLine } from './format.js';

const LOCATION = / \(([^()\s]+:\d+(?::\d+)?)\)/;
const REQUEST = /\b((?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) https?:\/\/\S+?): /;

/** `reload failed: SyntaxError: x (server/a.js:2:19)` → `server/a.js:2:19 — reload failed: SyntaxError: x`. */
export function reasonFirst(message: string): string {
  let text = visibleLine(message.replace(/\s*\n\s*/g, ' ').trim());
  let location = '';
  const loc = LOCATION.exec(text);
  if (loc) {
    location = loc[1];
    text = text.replace(loc[0], '');
  }
  let request = '';
  const req = REQUEST.exec(text);
  if (req) {
    request = req[1];
    text = text.replace(req[0], '');
  }
  return `${location ? `${location} — ` : ''}${text}${request ? ` (${request})` : ''}`;
}

/** The reason in at most `max` lines of `width`; the last line is cut with … when it goes on. */
export function failureLines(message: string, width: number, max = 3): string[] {
  if (!message.trim()) return [];
  const lines = wrapLine(reasonFirst(message), Math.max(10, width));
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), truncateEnd(`${lines[max - 1]} ${lines[max]}`, Math.max(10, width))];
}
