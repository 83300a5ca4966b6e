// The layout draws the architecture, and this test keeps it that way:
// - imports only go down: faces (cli, components, the library entry) → engine →
//   client / config → types → protocol; the agent imports the protocol and its own rooms only;
//   the protocol imports nothing of ours (the rooms and their rule: test/helpers/architecture.ts);
// - no function in src/ or components/ has more than 60 lines of its own, except the
//   ones listed below (each with why it is still there).
import { describe, expect, it } from 'vitest';
import {
  AGENT_ENTRIES,
  allFunctionLengths,
  functionLengths,
  importEdges,
  parse,
  resolveSpecifier,
  runtimePackages,
  sourceFiles,
  specifiers,
  unplaced,
  violations,
} from './helpers/architecture.js';

describe('the import rule', () => {
  it('every source file lives in a room', () => {
    expect(unplaced(sourceFiles())).toEqual([]);
  });

  it('imports only go down', () => {
    const edges = importEdges();
    expect(edges.length).toBeGreaterThan(300); // the parser sees the imports at all
    expect(violations(edges)).toEqual([]);
  });

  it('reports an edge that goes up or sideways', () => {
    expect(
      violations([
        { from: 'src/engine/engine.ts', to: 'components/App.tsx' },
        { from: 'src/engine/store.ts', to: 'src/cli/output.ts' },
        { from: 'src/client/client.ts', to: 'src/engine/store.ts' },
        { from: 'src/client/client.ts', to: 'src/config/merge.ts' },
        { from: 'src/agent/agent.ts', to: 'src/engine/store.ts' },
        { from: 'src/agent/agent.ts', to: 'src/types.ts' },
        { from: 'src/protocol/wire.ts', to: 'src/types.ts' },
        { from: 'src/engine/engine.ts', to: 'src/agent/index.ts' },
        { from: 'src/cli/main.ts', to: 'src/agent/loading/module-graph.ts' },
        { from: 'components/view/format.ts', to: 'components/panels/Row.tsx' },
        { from: 'components/hooks/useNow.ts', to: 'components/App.tsx' },
      ]),
    ).toEqual([
      'src/engine/engine.ts → components/App.tsx: engine may not import components',
      'src/engine/store.ts → src/cli/output.ts: engine may not import cli',
      'src/client/client.ts → src/engine/store.ts: client may not import engine',
      'src/client/client.ts → src/config/merge.ts: client may not import config',
      'src/agent/agent.ts → src/engine/store.ts: agent may not import engine',
      'src/agent/agent.ts → src/types.ts: agent may not import types',
      'src/protocol/wire.ts → src/types.ts: protocol may not import types',
      'src/engine/engine.ts → src/agent/index.ts: engine may not import agent',
      "src/cli/main.ts → src/agent/loading/module-graph.ts: only the agent's entries (src/agent/index.ts, src/agent/serve/serve.ts, src/agent/hot-env.ts) may be imported from outside it",
      'components/view/format.ts → components/panels/Row.tsx: components/view may not import panels',
      'components/hooks/useNow.ts → components/App.tsx: components/hooks may not import app',
    ]);
    expect(violations([{ from: 'src/cli/main.ts', to: 'src/agent/serve/serve.ts' }, { from: 'components/panels/Header.tsx', to: 'src/engine/store.ts' }])).toEqual([]);
    expect(unplaced(['src/loose.ts', 'components/loose.ts', 'src/engine/x.ts'])).toEqual(['src/loose.ts', 'components/loose.ts']);
  });

  it('sees every form of import, a lazy one through a variable too', () => {
    const sf = parse(
      'src/cli/x.ts',
      [
        "import a from './a.js';",
        "import type { B } from '../b.js';",
        "import './c.js';",
        "export * from './d.js';",
        "export { e } from './e.js';",
        "const f = await import('./f.js');",
        "const spec = cond ? '../agent/serve/serve.js' : './g.js'; await import(spec);",
        "import fs from 'node:fs'; const text = 'not/a/module'; const p = './data.json';",
      ].join('\n'),
    );
    expect(specifiers(sf)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js', './f.js', '../agent/serve/serve.js', './g.js']);
    const known = new Set(['src/engine/store.ts', 'components/App.tsx']);
    expect(resolveSpecifier('src/cli/main.ts', '../engine/store.js', (f) => known.has(f))).toBe('src/engine/store.ts');
    expect(resolveSpecifier('src/cli/main.ts', '../../components/App.js', (f) => known.has(f))).toBe('components/App.tsx');
    expect(resolveSpecifier('src/cli/main.ts', './nothing.js', (f) => known.has(f))).toBeUndefined();
  });
});

const MAX_OWN_LINES = 60;

// Functions still over the limit, by `file#name`. The list may only shrink: an entry that
// is no longer over the limit (or no longer exists) fails the test until it is removed.
// Long by nature and allowed to stay: a flat table, or one state machine's switch.
const STILL_TOO_LONG: Record<string, string> = {
  // a state machine's switch: one case per (phase, event), kept together on purpose
  'src/engine/pipeline.ts#transition': 'state machine switch',
};

describe('what the agent loads', () => {
  // the agent runs inside the user's service: every MB of heap it keeps is marked again at
  // each major GC of the app (zod alone was 3 MB, and most of an adopted app's overhead)
  it('loads no package of the client (zod, ink, react, zustand, ky, chokidar): esbuild, get-tsconfig and oxc-resolver only', () => {
    expect(runtimePackages(AGENT_ENTRIES)).toEqual(['esbuild', 'get-tsconfig', 'oxc-resolver']);
  });

  it('sees a package reached through our own files, and ignores type-only imports', () => {
    expect(runtimePackages(['src/client/client.ts'])).toContain('zod');
    expect(runtimePackages(['src/client/client.ts'])).toContain('ky');
  });
});

describe('function length', () => {
  const all = allFunctionLengths();
  const key = (f: { file: string; name: string }) => `${f.file}#${f.name}`;

  it(`no function has more than ${MAX_OWN_LINES} lines of its own, except the listed ones`, () => {
    const longest = all.slice(0, 15).map((f) => `${String(f.own).padStart(4)}  ${f.file}:${f.line} ${f.name}`);
    console.log(`longest functions (own lines, named inner functions excluded):\n${longest.join('\n')}`);
    const over = all.filter((f) => f.own > MAX_OWN_LINES).map(key);
    expect(over.filter((k) => !(k in STILL_TOO_LONG))).toEqual([]);
    // the allowlist shrinks with the code: an entry that is short now must go
    expect(Object.keys(STILL_TOO_LONG).filter((k) => !over.includes(k))).toEqual([]);
  });

  it('counts a function without the named functions inside it', () => {
    const text = [
      'export function outer() {', // 1
      '  const a = 1;', // 2
      '  function inner() {', // 3
      '    return 2;', // 4
      '  }', // 5
      '  const arrow = () => {', // 6
      '    return 3;', // 7
      '  };', // 8
      '  [1].map((x) => {', // 9: anonymous: counts as outer's
      '    return x;', // 10
      '  });', // 11
      '  return a + inner() + arrow();', // 12
      '}', // 13
      'class K {', //
      '  m() {', //
      '    return 1;', //
      '  }', //
      '}', //
      'const obj = { act: async () => {', //
      '  return 1;', //
      '} };', //
    ].join('\n');
    const got = functionLengths('src/x.ts', text).map((f) => [f.name, f.line, f.own]);
    expect(got).toEqual([
      ['inner', 3, 3],
      ['arrow', 6, 3],
      ['outer', 1, 7],
      ['m', 15, 3],
      ['act', 19, 3],
    ]);
  });
});
