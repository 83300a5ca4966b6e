// Judges one functional probe's answer against its expectations, in plain words.
import type { CheckResult, Probe } from '../types.js';
import { EXCERPT_CHARS, type RawResponse } from './http.js';

/** A failed probe keeps this many lines of the body it got (and at most EXCERPT_CHARS). */
export const EXCERPT_LINES = 12;

/** Value at a dotted path ("data.items.0.name"); undefined when absent. */
export function atPath(value: unknown, dotted: string): unknown {
  let cur = value;
  for (const key of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

// An answer's value in one short line: a huge value is cut, and a deeply nested one (which
// overflows JSON.stringify's stack) is named by its type.
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(v);
  } catch {
    text = Array.isArray(v) ? 'a nested array' : 'a nested object';
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Empty list when the answer meets every expectation; otherwise what went wrong. */
export function probeProblems(p: Probe, r: RawResponse): string[] {
  if (r.status !== p.expectStatus) return [`expected ${p.expectStatus}, got ${r.status}`];
  const problems: string[] = [];
  if (p.bodyContains !== undefined && !r.text.includes(p.bodyContains)) {
    problems.push(`body does not contain ${JSON.stringify(p.bodyContains)}`);
  }
  if (p.jsonEquals) {
    if (r.json === undefined) problems.push(`body is not JSON${r.jsonError ? ` (${r.jsonError})` : ''}`);
    else {
      for (const [key, want] of Object.entries(p.jsonEquals)) {
        const got = atPath(r.json, key);
        if (!sameJson(got, want)) problems.push(`${key}: expected ${show(want)}, got ${show(got)}`);
      }
    }
  }
  return problems;
}

/**
 * The start of an answer's body, bounded: its first EXCERPT_LINES non-blank lines, at most
 * EXCERPT_CHARS characters (a cut is marked with …). Raw text: sanitize it to show it.
 */
export function bodyExcerpt(text: string): string {
  const lines = text.slice(0, EXCERPT_CHARS * 2).replace(/\r\n?/g, '\n').split('\n').filter((l) => l.trim() !== '');
  let out = lines.slice(0, EXCERPT_LINES).join('\n');
  const cut = lines.length > EXCERPT_LINES || text.length > EXCERPT_CHARS * 2 || out.length > EXCERPT_CHARS;
  if (out.length > EXCERPT_CHARS) out = out.slice(0, EXCERPT_CHARS - 1);
  return cut ? `${out.trimEnd()}…` : out;
}

/** A failed probe's check: what went wrong, with the status and the body excerpt that show why. */
export function failedProbe(name: string, problems: readonly string[], r: RawResponse, durationMs: number): CheckResult {
  const body = bodyExcerpt(r.text);
  return { name, ok: false, detail: problems.join('; '), durationMs, httpStatus: r.status, ...(body ? { bodyExcerpt: body } : {}) };
}
