// Types of scripts/ansi-png.js (plain JS so that `node scripts/screenshots.js` runs without a build).

export interface Style {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
  strike: boolean;
}

export interface Cell {
  /** the glyph; '' for the right half of a wide glyph */
  ch: string;
  style: Style;
}

export const THEME: { background: string; foreground: string; palette: string[] };
export const FONT_SIZE: number;
export const CELL_W: number;
export const CELL_H: number;
export function color256(n: number): string;
export function applySgr(s: Style, params: number[]): Style;
export function cellWidth(codePoint: number): 0 | 1 | 2;
export function parseScreen(text: string, cols: number, rows: number): Cell[][];
export function screenSvg(grid: Cell[][], opts: { title: string }): string;
export function fontFiles(): string[];
export function svgToPng(svg: string, scale?: number): Promise<Buffer>;
export function screenToPng(ansiText: string, opts: { cols: number; rows: number; title: string; scale?: number }): Promise<Buffer>;
