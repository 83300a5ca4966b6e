// A line of the TUI as data: styled segments whose total width is cut to the terminal's
// in JavaScript, so the terminal never wraps a line.
import { textWidth, truncateEnd } from './format.js';

export interface Seg {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/** Keep segments while they fit `width`; the one that overflows is cut with `…`. */
export function fitSegments(segs: readonly Seg[], width: number): Seg[] {
  const out: Seg[] = [];
  let left = width;
  for (const seg of segs) {
    if (left <= 0) break;
    const w = textWidth(seg.text);
    if (w <= left) {
      out.push(seg);
      left -= w;
    } else {
      out.push({ ...seg, text: truncateEnd(seg.text, left) });
      left = 0;
    }
  }
  return out;
}

export const segsText = (segs: readonly Seg[]): string => segs.map((s) => s.text).join('');

/** A section title followed by a rule to the full width: `Reloads 3 attempts ─────`. */
export function titleSegs(label: string, info: readonly Seg[], width: number): Seg[] {
  const used = textWidth(label) + (info.length ? 1 + textWidth(segsText(info)) : 0) + 1;
  const rule = '─'.repeat(Math.max(0, width - used));
  return [{ text: label, bold: true, color: 'cyan' }, ...(info.length ? [{ text: ' ' }, ...info] : []), { text: ` ${rule}`, dim: true }];
}
