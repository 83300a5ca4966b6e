// The key line, rendered from the keybinding table; the rollback question and the answer
// of the last action take its place when there is one.
import { footerItems, type Mode } from '../keys.js';
import { Row } from '../Row.js';
import type { Seg } from '../segments.js';

export interface Notice {
  ok: boolean;
  text: string;
}

export function keySegs(mode: Mode, paused = false): Seg[] {
  const segs: Seg[] = [];
  for (const item of footerItems(mode)) {
    if (segs.length) segs.push({ text: '  ' });
    segs.push({ text: item.label, bold: true, color: 'cyan' });
    segs.push({ text: ` ${item.label === 'p' && paused ? 'resume' : item.short}`, dim: true });
  }
  return segs;
}

export function Footer({ mode, width, paused, notice }: { mode: Mode; width: number; paused: boolean; notice?: Notice }) {
  if (mode === 'confirm-rollback') {
    return (
      <Row
        width={width}
        segs={[{ text: 'Roll back to the previous version? ', bold: true, color: 'yellow' }, ...keySegs(mode)]}
      />
    );
  }
  if (notice) return <Row width={width} segs={[{ text: notice.ok ? '✔ ' : '✖ ', color: notice.ok ? 'green' : 'red' }, { text: notice.text }]} />;
  return <Row width={width} segs={keySegs(mode, paused)} />;
}
