// Keybindings as data: the footer, the help overlay and the one input listener all read
// this table, so a key can never do one thing and be documented as another.
import type { Key } from 'ink';

/** Which screen the keys act on. */
export type Mode = 'main' | 'confirm-rollback' | 'help' | 'errors' | 'detail';

export type Command =
  | 'trigger'
  | 'verify'
  | 'rollback'
  | 'toggle-pause'
  | 'error-log'
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

const ALL: readonly Mode[] = ['main', 'confirm-rollback', 'help', 'errors', 'detail'];
const LIST: readonly Mode[] = ['errors', 'detail'];

export const BINDINGS: readonly Binding[] = [
  { command: 'trigger', keys: [{ input: 't' }], label: 't', short: 'trigger', help: 'reload now (verified, rolled back on failure)', modes: ['main'], footer: ['main'] },
  { command: 'verify', keys: [{ input: 'v' }], label: 'v', short: 'verify', help: 'verify the running version', modes: ['main'], footer: ['main'] },
  { command: 'rollback', keys: [{ input: 'r' }], label: 'r', short: 'rollback', help: 'roll back to the previous version (asks y/n)', modes: ['main'], footer: ['main'] },
  { command: 'toggle-pause', keys: [{ input: 'p' }], label: 'p', short: 'pause', help: 'pause / resume watching files', modes: ['main'], footer: ['main'] },
  { command: 'error-log', keys: [{ input: 'e' }], label: 'e', short: 'errors', help: 'browse the error log (this and earlier runs)', modes: ['main'], footer: ['main'] },
  { command: 'help', keys: [{ input: '?' }], label: '?', short: 'help', shortIn: { help: 'close' }, help: 'show / hide this help', modes: ['main', 'help'], footer: ['main', 'help'] },
  { command: 'confirm', keys: [{ input: 'y' }, { input: 'Y' }], label: 'y', short: 'yes', help: 'confirm the rollback', modes: ['confirm-rollback'], footer: ['confirm-rollback'] },
  { command: 'cancel', keys: [{ input: 'n' }, { input: 'N' }, { special: 'escape' }], label: 'n/Esc', short: 'no', help: 'cancel the rollback', modes: ['confirm-rollback'], footer: ['confirm-rollback'] },
  { command: 'up', keys: [{ special: 'upArrow' }, { input: 'k' }], label: '↑/↓', short: 'move', help: 'move the selection / scroll', modes: LIST, footer: LIST },
  { command: 'down', keys: [{ special: 'downArrow' }, { input: 'j' }], label: '↓', short: 'down', help: 'move the selection down', modes: LIST },
  { command: 'page-up', keys: [{ special: 'pageUp' }], label: 'PgUp/PgDn', short: 'page', help: 'one page up / down', modes: LIST, footer: LIST },
  { command: 'page-down', keys: [{ special: 'pageDown' }], label: 'PgDn', short: 'page down', help: 'one page down', modes: LIST },
  { command: 'top', keys: [{ input: 'g' }], label: 'g/G', short: 'top/end', help: 'first / last entry', modes: LIST, footer: LIST },
  { command: 'bottom', keys: [{ input: 'G' }], label: 'G', short: 'end', help: 'last entry', modes: LIST },
  { command: 'open', keys: [{ special: 'return' }], label: 'Enter', short: 'detail', help: 'open the selected entry', modes: ['errors'], footer: ['errors'] },
  { command: 'back', keys: [{ special: 'escape' }], label: 'Esc', short: 'back', help: 'back to the previous screen', modes: ['errors', 'detail', 'help'], footer: ['errors', 'detail', 'help'] },
  { command: 'quit', keys: [{ input: 'q' }, { input: 'c', ctrl: true }], label: 'q/^C', short: 'quit', help: 'quit: stop watching and restore the terminal', modes: ALL, footer: ['main', 'errors', 'detail', 'help'] },
];

function matches(spec: KeySpec, input: string, key: Partial<Key>): boolean {
  if ('special' in spec) return key[spec.special] === true;
  if (spec.ctrl) return key.ctrl === true && input === spec.input;
  // a printable key must not be a Ctrl/Meta chord (Ctrl+T is not `t`)
  return !key.ctrl && !key.meta && input === spec.input;
}

/** The command a key press means in `mode`, or undefined when it means nothing there. */
export function resolveCommand(mode: Mode, input: string, key: Partial<Key>): Command | undefined {
  for (const b of BINDINGS) {
    if (!b.modes.includes(mode)) continue;
    if (b.keys.some((k) => matches(k, input, key))) return b.command;
  }
  return undefined;
}

/** The footer's `key word` pairs for a mode, in table order. */
export function footerItems(mode: Mode): { label: string; short: string }[] {
  return BINDINGS.filter((b) => b.footer?.includes(mode)).map((b) => ({ label: b.label, short: b.shortIn?.[mode] ?? b.short }));
}

/** Help sections: each mode's bindings, the way the help overlay lists them. */
export const HELP_SECTIONS: readonly { title: string; mode: Mode }[] = [
  { title: 'Main screen', mode: 'main' },
  { title: 'Error log', mode: 'errors' },
];

/** One help line per binding of `mode`; paired keys (↑/↓) appear once under their joint label. */
export function helpItems(mode: Mode): { label: string; help: string }[] {
  return BINDINGS.filter((b) => b.footer?.includes(mode)).map((b) => ({ label: b.label, help: b.help }));
}
