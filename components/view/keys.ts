// Keybindings as data: the footer, the help overlay and the one input listener all read
// this table, so a key can never do one thing and be documented as another.
import type { Key } from 'ink';

/** Which screen the keys act on. */
export type Mode = 'main' | 'confirm-rollback' | 'help' | 'errors' | 'detail' | 'output';

export type Command =
  | 'trigger'
  | 'verify'
  | 'rollback'
  | 'toggle-pause'
  | 'error-log'
  | 'service-output'
  | 'help'
  | 'quit'
  | 'confirm'
  | 'cancel'
  | 'up'
  | 'down'
  | 'page-up'
  | 'page-down'
  | 'top'
  | 'bottom'
  | 'open'
  | 'back';

type SpecialKey = 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'return' | 'escape';

/** One physical key: a printable character, optionally with Ctrl, or a special key. */
export type KeySpec = { input: string; ctrl?: boolean } | { special: SpecialKey };

export interface Binding {
  command: Command;
  keys: readonly KeySpec[];
  /** how the key is written in the footer and help, e.g. `t`, `↑/↓`, `q/^C` */
  label: string;
  /** the help's label when it names more keys than the footer's (`↑/↓ k/j`) */
  helpLabel?: string;
  /** the footer keeps the lowest first when it is too narrow for all (quit and help: 0) */
  keep?: number;
  /** a short word for the footer */
  short: string;
  /** a different word in some modes (? is "close" inside the help) */
  shortIn?: Partial<Record<Mode, string>>;
  /** one line for the help overlay */
  help: string;
  modes: readonly Mode[];
  /** shown in the footer of these modes */
  footer?: readonly Mode[];
}

const ALL: readonly Mode[] = ['main', 'confirm-rollback', 'help', 'errors', 'detail', 'output'];
const LIST: readonly Mode[] = ['errors', 'detail', 'output'];
const SCROLL: readonly Mode[] = [...LIST, 'help'];
const NOT_ASKING: readonly Mode[] = ALL.filter((m) => m !== 'confirm-rollback');

export const BINDINGS: readonly Binding[] = [
  { command: 'trigger', keys: [{ input: 't' }], label: 't', short: 'trigger', help: 'reload now (verified, rolled back on failure)', modes: ['main'], footer: ['main'], keep: 2 },
  { command: 'verify', keys: [{ input: 'v' }], label: 'v', short: 'verify', help: 'verify the running version', modes: ['main'], footer: ['main'], keep: 5 },
  { command: 'rollback', keys: [{ input: 'r' }], label: 'r', short: 'rollback', help: 'roll back to the previous version (asks y/n)', modes: ['main'], footer: ['main'], keep: 6 },
  { command: 'toggle-pause', keys: [{ input: 'p' }], label: 'p', short: 'pause', help: 'pause / resume watching files', modes: ['main'], footer: ['main'], keep: 7 },
  { command: 'error-log', keys: [{ input: 'e' }], label: 'e', short: 'errors', help: 'browse the error log (this and earlier runs)', modes: ['main'], footer: ['main'], keep: 3 },
  { command: 'service-output', keys: [{ input: 'o' }], label: 'o', short: 'output', help: "the service's own output (demo, dev)", modes: ['main'], footer: ['main'], keep: 4 },
  { command: 'help', keys: [{ input: '?' }], label: '?', short: 'help', shortIn: { help: 'close' }, help: 'show / hide this help', modes: ['main', 'help'], footer: ['main', 'help'], keep: 0 },
  { command: 'confirm', keys: [{ input: 'y' }, { input: 'Y' }], label: 'y', short: 'yes', help: 'roll back', modes: ['confirm-rollback'], footer: ['confirm-rollback'], keep: 0 },
  // at a question q and Esc answer no: they must not quit everything (and stop the demo service)
  { command: 'cancel', keys: [{ input: 'n' }, { input: 'N' }, { input: 'q' }, { special: 'escape' }], label: 'n/Esc', helpLabel: 'n/Esc/q', short: 'no', help: 'cancel: keep the version that serves', modes: ['confirm-rollback'], footer: ['confirm-rollback'], keep: 0 },
  { command: 'up', keys: [{ special: 'upArrow' }, { input: 'k' }], label: '↑/↓', helpLabel: '↑/↓ k/j', short: 'move', help: 'move the selection / scroll one line', modes: SCROLL, footer: LIST, keep: 1 },
  { command: 'down', keys: [{ special: 'downArrow' }, { input: 'j' }], label: '↓', short: 'down', help: 'move the selection down', modes: SCROLL },
  { command: 'page-up', keys: [{ special: 'pageUp' }], label: 'PgUp/PgDn', short: 'page', help: 'one page up / down', modes: LIST, footer: LIST, keep: 3 },
  { command: 'page-down', keys: [{ special: 'pageDown' }], label: 'PgDn', short: 'page down', help: 'one page down', modes: LIST },
  { command: 'top', keys: [{ input: 'g' }], label: 'g/G', short: 'top/end', help: 'first / last entry (oldest / newest line)', modes: LIST, footer: LIST, keep: 4 },
  { command: 'bottom', keys: [{ input: 'G' }], label: 'G', short: 'end', help: 'last entry', modes: LIST },
  { command: 'open', keys: [{ special: 'return' }], label: 'Enter', short: 'detail', help: 'open the selected entry', modes: ['errors'], footer: ['errors'], keep: 2 },
  { command: 'back', keys: [{ special: 'escape' }], label: 'Esc', short: 'back', help: 'back to the previous screen', modes: ['errors', 'detail', 'help', 'output'], footer: ['errors', 'detail', 'help', 'output'], keep: 1 },
  { command: 'quit', keys: [{ input: 'q' }], label: 'q/^C', short: 'quit', help: 'quit: stop watching and restore the terminal', modes: NOT_ASKING, footer: NOT_ASKING, keep: 0 },
  // Ctrl+C always quits, even at a question
  { command: 'quit', keys: [{ input: 'c', ctrl: true }], label: '^C', short: 'quit', help: 'quit', modes: ALL },
];

function matches(spec: KeySpec, input: string, key: Partial<Key>): boolean {
  if ('special' in spec) return key[spec.special] === true;
  if (spec.ctrl) return key.ctrl === true && input === spec.input;
  // a printable key must not be a Ctrl/Meta chord (Ctrl+T is not `t`)
  return !key.ctrl && !key.meta && input === spec.input;
}

/**
 * One key repeated in one read (key repeat, `jjj` typed fast): each is a key press. Mixed
 * text (a paste) stays one input that means nothing: pasting "quit" must not quit.
 */
export function splitKeys(input: string, key: Partial<Key>): string[] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || key.escape || key.return) return [input];
  return chars.every((c) => c === chars[0]) && chars[0] >= ' ' && chars[0] !== '\u007f' ? chars : [input];
}

/** The command a key press means in `mode`, or undefined when it means nothing there. */
export function resolveCommand(mode: Mode, input: string, key: Partial<Key>): Command | undefined {
  for (const b of BINDINGS) {
    if (!b.modes.includes(mode)) continue;
    if (b.keys.some((k) => matches(k, input, key))) return b.command;
  }
  return undefined;
}

/** The footer's `key word` pairs for a mode, in table order, with how long each is kept when narrow. */
export function footerItems(mode: Mode): { label: string; short: string; keep: number }[] {
  return BINDINGS.filter((b) => b.footer?.includes(mode)).map((b) => ({ label: b.label, short: b.shortIn?.[mode] ?? b.short, keep: b.keep ?? 9 }));
}

/** Help sections: each mode's bindings, the way the help overlay lists them. */
export const HELP_SECTIONS: readonly { title: string; mode: Mode }[] = [
  { title: 'Main screen', mode: 'main' },
  { title: 'Error log, error detail, service output', mode: 'errors' },
  { title: 'Rollback question', mode: 'confirm-rollback' },
];

/** One help line per binding of `mode`; paired keys (↑/↓ k/j) appear once under their joint label. */
export function helpItems(mode: Mode): { label: string; help: string }[] {
  return BINDINGS.filter((b) => b.footer?.includes(mode)).map((b) => ({ label: b.helpLabel ?? b.label, help: b.help }));
}
