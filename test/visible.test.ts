import { describe, expect, it } from 'vitest';
import { visible, visibleLine } from '../src/protocol/visible.js';

describe('visible: control characters from outside are shown, never obeyed', () => {
  it('shows ESC of CSI and OSC sequences, BEL, CR, DEL and C1 as printable text', () => {
    const osc52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
    expect(visible(`a${osc52}b`)).toBe('a\u241b]52;c;cm0gLXJmIH4=\u2407b');
    expect(visible('\u001b[2J\u001b[H✔ all checks passed')).toBe('\u241b[2J\u241b[H✔ all checks passed');
    expect(visible('over\rwrite')).toBe('over\u240dwrite');
    expect(visible('x\u007fy')).toBe('x\u2421y');
    expect(visible('x\u009b31my')).toBe('x\\u009b31my');
    expect(visible('abc\u202eevil')).toBe('abc\\u202eevil');
  });

  it('keeps newlines and tabs in multi-line text, and leaves ordinary text alone', () => {
    expect(visible('Error: boom\n    at f (a.js:1:2)\tx')).toBe('Error: boom\n    at f (a.js:1:2)\tx');
    expect(visible('héllo 世界 ✔ ⚠')).toBe('héllo 世界 ✔ ⚠');
  });

  it('visibleLine also shows newlines and tabs, so one value stays one line', () => {
    expect(visibleLine('a\nb\tc')).toBe('a\u240ab\u2409c');
    expect(visibleLine('\u001b[31mred')).toBe('\u241b[31mred');
  });

  it('leaves no byte below 0x20 other than newline and tab in its output', () => {
    let all = '';
    for (let c = 0; c < 0xa0; c++) all += String.fromCharCode(c);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(visible(all))).toBe(false);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u001f\u007f-\u009f]/.test(visibleLine(all))).toBe(false);
  });
});
