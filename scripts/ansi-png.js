// Terminal screen (tmux `capture-pane -e -p`: text with SGR escape sequences) → a grid
// of styled cells → SVG → PNG (resvg, with the DejaVu fonts shipped by an npm package,
// so no system font is needed). Each glyph is placed at its own cell, so glyphs from
// the fallback font never shift the grid.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** @typedef {{ fg: string | null, bg: string | null, bold: boolean, dim: boolean, italic: boolean, underline: boolean, inverse: boolean, strike: boolean }} Style */
/** @typedef {{ ch: string, style: Style }} Cell */

// A dark theme close to common terminal defaults (xterm's 16 colours, softened).
export const THEME = {
  background: '#1b1d23',
  foreground: '#d4d7dd',
  palette: [
    '#2e3440', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#d4d7dd',
    '#5c6370', '#ff7b86', '#b5e890', '#ffd68a', '#82c4ff', '#de95f0', '#7fd4e0', '#ffffff',
  ],
};

/** xterm's 256-colour table: 16 themed, a 6×6×6 cube, 24 greys. @param {number} n */
export function color256(n) {
  if (n < 16) return THEME.palette[n];
  if (n < 232) {
    const i = n - 16;
    const level = (/** @type {number} */ v) => (v === 0 ? 0 : 55 + v * 40);
    return rgb(level(Math.floor(i / 36)), level(Math.floor(i / 6) % 6), level(i % 6));
  }
  const g = 8 + (n - 232) * 10;
  return rgb(g, g, g);
}

/** @param {number} r @param {number} g @param {number} b */
const rgb = (r, g, b) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** @returns {Style} */
const plainStyle = () => ({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false });

/** Applies one SGR parameter list to a style (mutates and returns it). @param {Style} s @param {number[]} p */
export function applySgr(s, p) {
  if (p.length === 0) p = [0];
  for (let i = 0; i < p.length; i++) {
    const n = p[i];
    if (n === 0) Object.assign(s, plainStyle());
    else if (n === 1) s.bold = true;
    else if (n === 2) s.dim = true;
    else if (n === 3) s.italic = true;
    else if (n === 4) s.underline = true;
    else if (n === 7) s.inverse = true;
    else if (n === 9) s.strike = true;
    else if (n === 22) s.bold = s.dim = false;
    else if (n === 23) s.italic = false;
    else if (n === 24) s.underline = false;
    else if (n === 27) s.inverse = false;
    else if (n === 29) s.strike = false;
    else if (n >= 30 && n <= 37) s.fg = THEME.palette[n - 30];
    else if (n >= 90 && n <= 97) s.fg = THEME.palette[n - 90 + 8];
    else if (n === 39) s.fg = null;
    else if (n >= 40 && n <= 47) s.bg = THEME.palette[n - 40];
    else if (n >= 100 && n <= 107) s.bg = THEME.palette[n - 100 + 8];
    else if (n === 49) s.bg = null;
    else if (n === 38 || n === 48) {
      // 38;5;N or 38;2;R;G;B (same for background)
      let c = null;
      if (p[i + 1] === 5) {
        c = color256(p[i + 2] ?? 0);
        i += 2;
      } else if (p[i + 1] === 2) {
        c = rgb(p[i + 2] ?? 0, p[i + 3] ?? 0, p[i + 4] ?? 0);
        i += 4;
      }
      if (n === 38) s.fg = c;
      else s.bg = c;
    }
  }
  return s;
}

/** Terminal cells a code point takes: 2 for East Asian wide and emoji, 0 for combining marks. @param {number} cp */
export function cellWidth(cp) {
  if ((cp >= 0x300 && cp <= 0x36f) || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * Parses captured text into rows of cells (`cols` wide, `rows` high). Only SGR sequences
 * change the style; other escape sequences are dropped.
 * @param {string} text @param {number} cols @param {number} rows
 * @returns {Cell[][]}
 */
export function parseScreen(text, cols, rows) {
  const lines = text.replace(/\r/g, '').split('\n');
  /** @type {Cell[][]} */
  const grid = [];
  const style = plainStyle();
  for (let y = 0; y < rows; y++) {
    /** @type {Cell[]} */
    const row = [];
    const line = lines[y] ?? '';
    for (let i = 0; i < line.length; ) {
      if (line[i] === '\u001b') {
        const rest = line.slice(i);
        // CSI: ESC [ private? params intermediates final; only SGR (plain "m") changes the style
        const csi = /^\u001b\[([?>=!]?)([0-9;:]*)([ -/]*)([@-~])/.exec(rest);
        const osc = /^\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)?/.exec(rest);
        if (csi) {
          if (csi[4] === 'm' && csi[1] === '' && csi[3] === '') applySgr(style, csi[2] === '' ? [] : csi[2].split(/[;:]/).map((v) => Number(v) || 0));
          i += csi[0].length;
        } else if (osc) i += osc[0].length;
        else i += Math.min(2, rest.length); // ESC and one character (e.g. ESC 7)
        continue;
      }
      const cp = /** @type {number} */ (line.codePointAt(i));
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      const w = cellWidth(cp);
      if (w === 0) {
        if (row.length) row[row.length - 1].ch += ch;
        continue;
      }
      if (row.length + w > cols) break;
      row.push({ ch, style: { ...style } });
      if (w === 2) row.push({ ch: '', style: { ...style } }); // the right half of a wide glyph
    }
    // the rest of the line keeps the current background (tmux omits trailing blanks)
    while (row.length < cols) row.push({ ch: ' ', style: { ...plainStyle(), bg: style.bg } });
    grid.push(row);
  }
  return grid;
}

/** @param {string} s */
const xml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// DejaVu Sans Mono's advance is 1233/2048 em; its line gap is generous at 1.2 em
export const FONT_SIZE = 15;
export const CELL_W = (FONT_SIZE * 1233) / 2048;
export const CELL_H = Math.round(FONT_SIZE * 1.22);
const PAD = 18;
/** block elements drawn as filled cells, with their coverage */
const BLOCKS = { '█': 1, '▓': 0.75, '▒': 0.5, '░': 0.25 };
const TITLE_H = 30;

/**
 * An SVG of the cells in a window frame with a title.
 * @param {Cell[][]} grid @param {{ title: string }} opts
 */
export function screenSvg(grid, opts) {
  const rows = grid.length;
  const cols = grid[0]?.length ?? 0;
  const w = Math.ceil(cols * CELL_W + PAD * 2);
  const h = Math.ceil(rows * CELL_H + PAD * 2 + TITLE_H);
  const top = TITLE_H + PAD;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<rect width="${w}" height="${h}" rx="10" fill="${THEME.background}"/>`,
    `<rect width="${w}" height="${TITLE_H}" rx="10" fill="#2a2d35"/><rect y="${TITLE_H - 10}" width="${w}" height="10" fill="#2a2d35"/>`,
    ...['#ff5f57', '#febc2e', '#28c840'].map((c, i) => `<circle cx="${PAD + i * 20}" cy="${TITLE_H / 2}" r="6" fill="${c}"/>`),
    `<text x="${w / 2}" y="${TITLE_H / 2 + 5}" text-anchor="middle" font-family="DejaVu Sans" font-size="13" fill="#9aa0aa">${xml(opts.title)}</text>`,
  ];
  const text = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const { ch, style } = grid[y][x];
      let fg = style.fg ?? THEME.foreground;
      let bg = style.bg;
      if (style.inverse) [fg, bg] = [bg ?? THEME.background, fg];
      const wide = grid[y][x + 1]?.ch === '';
      const px = PAD + x * CELL_W;
      const py = top + y * CELL_H;
      if (bg) out.push(`<rect x="${px.toFixed(2)}" y="${py}" width="${(CELL_W * (wide ? 2 : 1) + 0.6).toFixed(2)}" height="${CELL_H}" fill="${bg}"/>`);
      if (ch === '' || ch === ' ') continue;
      // full and shaded blocks as rectangles: glyphs leave seams between cells
      const shade = BLOCKS[ch];
      if (shade !== undefined) {
        const a = style.dim ? shade * 0.55 : shade;
        out.push(`<rect x="${px.toFixed(2)}" y="${py}" width="${(CELL_W + 0.6).toFixed(2)}" height="${CELL_H}" fill="${fg}"${a < 1 ? ` fill-opacity="${a.toFixed(2)}"` : ''}/>`);
        continue;
      }
      const attrs = [
        `x="${(px + (wide ? CELL_W : CELL_W / 2)).toFixed(2)}"`,
        `y="${(py + CELL_H * 0.78).toFixed(2)}"`,
        `fill="${fg}"`,
        style.bold ? 'font-weight="bold"' : '',
        style.italic ? 'font-style="italic"' : '',
        style.dim ? 'fill-opacity="0.55"' : '',
        style.underline || style.strike ? `text-decoration="${style.underline ? 'underline' : 'line-through'}"` : '',
      ].filter(Boolean);
      text.push(`<text ${attrs.join(' ')}>${xml(ch)}</text>`);
    }
  }
  out.push(`<g font-family="DejaVu Sans Mono" font-size="${FONT_SIZE}" text-anchor="middle" xml:space="preserve">`, ...text, '</g>', '</svg>');
  return out.join('\n');
}

/** The TrueType files of the dejavu-fonts-ttf package (mono first; Sans covers more symbols). */
export function fontFiles() {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return ['DejaVuSansMono.ttf', 'DejaVuSansMono-Bold.ttf', 'DejaVuSansMono-Oblique.ttf', 'DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => path.join(dir, f));
}

/**
 * Renders an SVG to PNG bytes at `scale`× (2 keeps text crisp on high-density screens).
 * @param {string} svg @param {number} [scale]
 */
export async function svgToPng(svg, scale = 2) {
  const { Resvg } = await import('@resvg/resvg-js');
  const files = fontFiles();
  for (const f of files) readFileSync(f); // fail early and clearly when the font package is missing
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: false, fontFiles: files, defaultFontFamily: 'DejaVu Sans Mono', monospaceFamily: 'DejaVu Sans Mono' },
  });
  return resvg.render().asPng();
}

/**
 * One captured screen → PNG bytes.
 * @param {string} ansiText @param {{ cols: number, rows: number, title: string, scale?: number }} opts
 */
export function screenToPng(ansiText, opts) {
  return svgToPng(screenSvg(parseScreen(ansiText, opts.cols, opts.rows), { title: opts.title }), opts.scale);
}
