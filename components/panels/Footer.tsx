// The key line, rendered from the keybinding table; the rollback question and the answer
// of the last action take its place when there is one. When the line is too narrow for
// every key, the least needed go first: quit and help always stay.
import { textWidth, truncateEnd } from '../view/format.js';
import { footerItems, type Mode } from '../view/keys.js';
import type { Notice } from '../view/notice.js';
import { Row } from './Row.js';
import { segsText, type Seg } from '../view/segments.js';

const TONE: Record<Notice['tone'], Seg> = {
  ok: { text: '✔ ', color: 'green' },
  fail: { text: '✖ ', color: 'red' },
  info: { text: '– ', dim: true },
};

function itemsSegs(items: readonly { label: string; short: string }[], paused: boolean): Seg[] {
  const segs: Seg[] = [];
  for (const item of items) {
    if (segs.length) segs.push({ text: '  ' });
    segs.push({ text: item.label, bold: true, color: 'cyan' });
    segs.push({ text: ` ${item.label === 'p' && paused ? 'resume' : item.short}`, dim: true });
  }
  return segs;
}

/** The keys of `mode` that fit `width`, in table order; dropped by their `keep` rank, highest first. */
export function keySegs(mode: Mode, paused = false, width = Infinity): Seg[] {
  let items = footerItems(mode);
  for (;;) {
    const segs = itemsSegs(items, paused);
    if (textWidth(segsText(segs)) <= width || items.length <= 1) return segs;
    const worst = items.reduce((w, it) => (it.keep >= w.keep ? it : w), items[0]);
    if (worst.keep === 0) {
      // only the essentials are left: keys without their words
      return items.flatMap((it, i) => [...(i ? [{ text: ' ' }] : []), { text: it.label, bold: true, color: 'cyan' } as Seg]);
    }
    items = items.filter((it) => it !== worst);
  }
}

export function Footer(props: { mode: Mode; width: number; paused: boolean; notice?: Notice; question?: string }) {
  const { mode, width, paused, notice } = props;
  if (mode === 'confirm-rollback') {
    const keys = keySegs(mode, false, width);
    const room = Math.max(0, width - textWidth(segsText(keys)) - 1);
    const question = props.question ?? 'Roll back to the previous version?';
    // the keys that answer are never cut: the question gives way
    return <Row width={width} segs={[{ text: `${truncateEnd(question, room)} `, bold: true, color: 'yellow' }, ...keys]} />;
  }
  if (notice) return <Row width={width} segs={[TONE[notice.tone], { text: notice.text, dim: notice.tone === 'info' }]} />;
  return <Row width={width} segs={keySegs(mode, paused, width)} />;
}
