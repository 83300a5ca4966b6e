// Judges one functional probe's answer against its expectations, in plain words.
import type { Probe } from '../types.js';
import type { RawResponse } from './http.js';

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
