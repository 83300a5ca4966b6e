// scripts/ansi-png.js: tmux's captured ANSI text → cells → SVG → PNG, on exact inputs.
import { describe, expect, it } from 'vitest';
import { applySgr, CELL_H, CELL_W, cellWidth, color256, parseScreen, screenSvg, screenToPng, THEME, type Style } from '../scripts/ansi-png.js';

const plain = (): Style => ({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false });
const ESC = '\u001b';

describe('SGR', () => {
  it('16, 256 and true colours, attributes on and off', () => {
    expect(applySgr(plain(), [31]).fg).toBe(THEME.palette[1]);
    expect(applySgr(plain(), [96]).fg).toBe(THEME.palette[14]);
    expect(applySgr(plain(), [38, 5, 196]).fg).toBe('#ff0000');
    expect(applySgr(plain(), [48, 5, 244]).bg).toBe('#808080');
    expect(applySgr(plain(), [38, 2, 1, 2, 3, 1]).fg).toBe('#010203');
    expect(applySgr(plain(), [38, 2, 1, 2, 3, 1]).bold).toBe(true);
    expect(applySgr(applySgr(plain(), [1, 2, 7]), [22])).toEqual({ ...plain(), inverse: true });
    expect(applySgr(applySgr(plain(), [1, 31, 44]), [])).toEqual(plain());
    expect(color256(16)).toBe('#000000');
    expect(color256(231)).toBe('#ffffff');
  });

  it('cell widths: wide CJK and emoji, narrow symbols, zero-width marks', () => {
    expect(['a', '✔', '─', '█', '中', '😀', '\u0301'].map((c) => cellWidth(c.codePointAt(0)!))).toEqual([1, 1, 1, 1, 2, 2, 0]);
  });
});

describe('parseScreen', () => {
  it('styles carry across lines until reset; short lines are padded; other escapes are dropped', () => {
    const grid = parseScreen(`${ESC}[31mab${ESC}[0m c${ESC}[?25l${ESC}]0;title\u0007\n${ESC}[1;32mx\ny${ESC}[0m`, 5, 4);
    expect(grid).toHaveLength(4);
    expect(grid.every((row) => row.length === 5)).toBe(true);
    expect(grid[0].map((c) => c.ch).join('')).toBe('ab c ');
    expect(grid[0][0].style.fg).toBe(THEME.palette[1]);
    expect(grid[0][2].style.fg).toBeNull();
    expect(grid[2][0]).toEqual({ ch: 'y', style: { ...plain(), fg: THEME.palette[2], bold: true } });
    expect(grid[3].map((c) => c.ch).join('')).toBe('     ');
  });

  it('a wide glyph takes two cells; text past the width is cut', () => {
    const grid = parseScreen('中a\u0301bcdef', 4, 1);
    expect(grid[0].map((c) => c.ch)).toEqual(['中', '', 'a\u0301', 'b']);
  });
});

describe('rendering', () => {
  it('the SVG puts each glyph in its own cell and escapes XML', () => {
    const svg = screenSvg(parseScreen(`<&>${ESC}[7mR`, 4, 1), { title: 'a "t" & b' });
    expect(svg).toContain('>a &quot;t&quot; &amp; b</text>');
    expect(svg).toContain('>&lt;</text>');
    expect(svg).toContain('>&amp;</text>');
    expect(svg).toContain('>&gt;</text>');
    // inverse: the cell gets the foreground as background, the glyph the background colour
    expect(svg).toContain(`fill="${THEME.foreground}"/>`);
    expect(svg).toMatch(new RegExp(`fill="${THEME.background}"[^>]*>R</text>`));
  });

  it('renders a PNG of the expected size with the packaged fonts', async () => {
    const png = await screenToPng(`${ESC}[32m✔ ok${ESC}[0m  █░`, { cols: 10, rows: 2, title: 'test', scale: 1 });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, right after the chunk header
    expect(png.readUInt32BE(16)).toBe(Math.ceil(10 * CELL_W + 36));
    expect(png.readUInt32BE(20)).toBe(Math.ceil(2 * CELL_H + 36 + 30));
  });
});
