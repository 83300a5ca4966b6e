// Text that came from outside (file names, error messages, stacks, server answers, probe
// bodies) may carry terminal control sequences: an OSC 52 that sets the clipboard, a CSI
// that clears the screen or moves the cursor to draw fake output. Every such text is passed
// through here before it reaches a terminal, so each control character is shown, never
// obeyed. Width is computed on the result (each replacement is one column, or a few ASCII
// characters for C1). JSON output needs none of this: JSON escapes control characters.

// C0 (except newline and tab), DEL, C1, and the bidi controls that reorder what is shown
// ("Trojan Source"): U+061C, U+200E/F, U+202A–E, U+2066–9.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function picture(ch: string): string {
  const code = ch.charCodeAt(0);
  // U+2400 "Control Pictures": ␀ … ␟ for C0, ␡ for DEL; one column each
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Control characters made visible; newlines and tabs kept (multi-line text: stacks, bodies). */
export function visible(text: string): string {
  return text.replace(CONTROL, picture);
}

/** As `visible`, and newlines and tabs shown too: for text that must stay on one line (a file name). */
export function visibleLine(text: string): string {
  return text.replace(CONTROL_OR_LINE, picture);
}

// JSON.stringify escapes only U+0000–U+001F: DEL, C1 (a terminal may obey U+009B as CSI)
// and the bidi controls would reach the terminal raw. \uXXXX escapes them too; the JSON
// still parses to exactly the same value.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify for a terminal or a log a terminal may show: exact once parsed, nothing raw. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
