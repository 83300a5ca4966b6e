// Small statistics and formatting helpers shared by the benchmark tables.

/** Nearest-rank percentile of an array of numbers (p in 0..100). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(values) {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    max: values.length ? Math.max(...values) : NaN,
  };
}

export const mean = (v) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);

export function ms(v, digits = 1) {
  return Number.isFinite(v) ? `${v.toFixed(digits)} ms` : '–';
}

export function mb(bytes, digits = 1) {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(digits)} MB` : '–';
}

export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : '–';
}

/** A table as plain data: rendered to the terminal and to Markdown by run.js. */
export function table(title, columns, rows) {
  return { title, columns, rows: rows.map((r) => r.map((c) => (c === undefined || c === null ? '–' : String(c)))) };
}

export function renderMarkdown(t) {
  const head = `| ${t.columns.join(' | ')} |`;
  const sep = `| ${t.columns.map(() => '---').join(' | ')} |`;
  const body = t.rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  return [`**${t.title}**`, '', head, sep, ...body].join('\n');
}

export function renderText(t) {
  const widths = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ');
  return [t.title, line(t.columns), line(widths.map((w) => '-'.repeat(w))), ...t.rows.map(line)].join('\n');
}

/**
 * The targets of a benchmark as a table: [target, measured text, met (true/false/null)].
 * null means it could not be measured in this run.
 */
export function targetsTable(title, rows) {
  return table(
    title,
    ['target', 'measured', 'result'],
    rows.map(([target, measured, met]) => [target, measured ?? '–', met === null || met === undefined ? 'not measured' : met ? 'met' : 'missed']),
  );
}
