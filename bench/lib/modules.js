// Module sources for the memory benchmark: a tiny one and ~64 KiB of real code,
// different per revision so every reload really compiles new code.
export function tinyModule(rev) {
  return `export const revision = ${rev};\nexport function f1(x) { return 'rev ${rev} ' + x; }\n`;
}

export function bigModule(rev, bytes = 64 * 1024) {
  const parts = [`export const revision = ${rev};`];
  let size = parts[0].length;
  for (let i = 0; size < bytes; i++) {
    const line = `export function f${i}(x) { const t = [${i}, ${rev}, 'item-${i}-${rev}']; return t.map((v) => String(v) + x).join('|'); }`;
    parts.push(line);
    size += line.length + 1;
  }
  return parts.join('\n') + '\n';
}

export const moduleFor = (size, rev) => (size === '64k' ? bigModule(rev) : tinyModule(rev));
