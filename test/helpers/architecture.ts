/**
 * The architecture as data, read from the code with the TypeScript compiler API:
 * which of our modules imports which (the import rule), and how long each function is
 * on its own (the function-length rule). test/architecture.test.ts checks both.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** Every source file of ours (repo-relative, `/`-separated): src/ and components/. */
export function sourceFiles(root = ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk('src');
  walk('components');
  return out.sort();
}

export const parse = (file: string, text: string): ts.SourceFile =>
  ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);

/**
 * The relative specifiers a file uses: `import … from`, `import type`, `export … from`,
 * `import '…'`, `import('…')`, and any other string literal shaped like a relative module
 * path (`'./x.js'`): the CLI loads some modules lazily through a variable
 * (`const spec = '../agent/serve/serve.js'; await import(spec)`), which is an import too.
 */
export function specifiers(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteralLike(node) && /^\.\.?\/.*\.(?:js|jsx|ts|tsx)$/.test(node.text)) out.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The source file a relative specifier names (repo-relative), or undefined if not one of ours. */
export function resolveSpecifier(from: string, spec: string, exists: (rel: string) => boolean): string | undefined {
  const abs = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const base = abs.replace(/\.(?:js|jsx|ts|tsx)$/, '');
  return [`${base}.ts`, `${base}.tsx`].find(exists);
}

export interface Edge {
  from: string;
  to: string;
}

/** Every import edge between our own source files. */
export function importEdges(root = ROOT): Edge[] {
  const files = sourceFiles(root);
  const known = new Set(files);
  const edges: Edge[] = [];
  for (const from of files) {
    const sf = parse(from, readFileSync(path.join(root, from), 'utf8'));
    for (const spec of specifiers(sf)) {
      const to = resolveSpecifier(from, spec, (rel) => known.has(rel));
      if (to && to !== from) edges.push({ from, to });
    }
  }
  return edges;
}

/**
 * The rooms, from the top (the faces) down. A file belongs to the first room whose
 * pattern matches; a file that matches none is reported (no loose files).
 */
export const ROOMS: ReadonlyArray<{ room: string; match: RegExp }> = [
  { room: 'cli', match: /^src\/cli\// },
  { room: 'components', match: /^components\// },
  { room: 'library', match: /^src\/index\.ts$/ },
  { room: 'engine', match: /^src\/engine\// },
  { room: 'client', match: /^src\/client\// },
  { room: 'config', match: /^src\/config\// },
  { room: 'types', match: /^src\/types\.ts$/ },
  { room: 'agent', match: /^src\/agent\// },
  { room: 'protocol', match: /^src\/protocol\// },
];

/** Which rooms each room may import (its own room always). Imports only go down. */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  // the CLI starts the TUI (components/run.tsx) and the agent's `serve` command
  cli: ['components', 'agent', 'engine', 'client', 'config', 'types', 'protocol'],
  components: ['engine', 'types', 'protocol'],
  library: ['engine', 'client', 'config', 'types', 'protocol'],
  engine: ['client', 'config', 'types', 'protocol'],
  client: ['types', 'protocol'],
  config: ['types', 'protocol'],
  types: ['protocol'],
  agent: ['protocol'],
  protocol: [],
};

/** The agent's entries: the only agent files another room may import. */
export const AGENT_ENTRIES: readonly string[] = ['src/agent/index.ts', 'src/agent/serve/serve.ts', 'src/agent/hot-env.ts'];

/**
 * Inside components/: the pure view helpers (view/) import no component, hook or screen;
 * hooks import view helpers only; panels import view helpers and hooks; App.tsx and
 * run.tsx sit on top.
 */
const COMPONENT_LEVELS: ReadonlyArray<{ level: string; match: RegExp; may: readonly string[] }> = [
  { level: 'view', match: /^components\/view\//, may: [] },
  { level: 'hooks', match: /^components\/hooks\//, may: ['view'] },
  { level: 'panels', match: /^components\/panels\//, may: ['view', 'hooks'] },
  { level: 'app', match: /^components\/App\.tsx$/, may: ['panels', 'hooks', 'view'] },
  { level: 'run', match: /^components\/run\.tsx$/, may: ['app', 'panels', 'hooks', 'view'] },
];

export const roomOf = (file: string): string | undefined => ROOMS.find((r) => r.match.test(file))?.room;
const levelOf = (file: string) => COMPONENT_LEVELS.find((l) => l.match.test(file));

/** Files that belong to no room. */
export function unplaced(files: readonly string[]): string[] {
  return files.filter((f) => !roomOf(f) || (f.startsWith('components/') && !levelOf(f)));
}

/** Every edge that breaks the rule, as `from → to: why`. */
export function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = roomOf(from);
    const b = roomOf(to);
    if (!a || !b) continue; // reported by unplaced()
    if (a === b) {
      if (a === 'components') {
        const la = levelOf(from);
        const lb = levelOf(to);
        if (la && lb && la.level !== lb.level && !la.may.includes(lb.level)) {
          out.push(`${from} → ${to}: components/${la.level} may not import ${lb.level}`);
        }
      }
      continue;
    }
    if (!MAY_IMPORT[a]?.includes(b)) out.push(`${from} → ${to}: ${a} may not import ${b}`);
    else if (b === 'agent' && !AGENT_ENTRIES.includes(to)) out.push(`${from} → ${to}: only the agent's entries (${AGENT_ENTRIES.join(', ')}) may be imported from outside it`);
  }
  return out;
}

export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  /** lines of its own: its whole span less the spans of the named functions inside it */
  own: number;
}

const isFunctionLike = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(n) ||
  ts.isFunctionExpression(n) ||
  ts.isArrowFunction(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isGetAccessorDeclaration(n) ||
  ts.isSetAccessorDeclaration(n);

/** A function's name when it has one of its own: declared, a method, or bound to a variable or property. */
function nameOf(fn: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string | undefined {
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  if (fn.name) return fn.name.getText(sf);
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) return p.name.getText(sf);
  if (ts.isExportAssignment(p)) return 'default';
  return undefined;
}

/**
 * Every named function's own length in lines (blank and comment lines included): its span
 * from the first line of its declaration to its closing brace, less the spans of the named
 * functions inside it. A callback without a name (`.map((x) => …)`, `useEffect(() => …)`)
 * counts as part of the function it is written in; one at the top level of a module is
 * listed as `<anonymous>`.
 */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const sf = parse(file, text);
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line;
  const out: FunctionLength[] = [];
  // returns the span (in lines) of named functions found at or below `node`, outside any nearer named one
  const measure = (node: ts.Node): number => {
    if (isFunctionLike(node) && node.body) {
      const name = nameOf(node, sf);
      const start = lineOf(node.getStart(sf));
      const span = lineOf(node.getEnd()) - start + 1;
      let inner = 0;
      ts.forEachChild(node, (c) => {
        inner += measure(c);
      });
      if (name !== undefined) {
        out.push({ file, name, line: start + 1, own: span - inner });
        return span;
      }
      if (!insideFunction(node)) out.push({ file, name: '<anonymous>', line: start + 1, own: span - inner });
      return inner;
    }
    let inner = 0;
    ts.forEachChild(node, (c) => {
      inner += measure(c);
    });
    return inner;
  };
  measure(sf);
  return out;
}

function insideFunction(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return true;
  return false;
}

/** Every named function of src/ and components/, longest first. */
export function allFunctionLengths(root = ROOT): FunctionLength[] {
  return sourceFiles(root)
    .flatMap((f) => functionLengths(f, readFileSync(path.join(root, f), 'utf8')))
    .sort((a, b) => b.own - a.own);
}

export const fileExists = (rel: string, root = ROOT) => existsSync(path.join(root, rel));

/**
 * The packages (bare specifiers, `node:` aside) that code reached from `entries` loads at
 * run time: value imports only (`import type` and type-only specifiers are erased), followed
 * through our own files.
 */
export function runtimePackages(entries: readonly string[], root = ROOT): string[] {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const sf = parse(file, readFileSync(path.join(root, file), 'utf8'));
    const use = (spec: string) => {
      if (spec.startsWith('.')) {
        const to = resolveSpecifier(file, spec, (rel) => fileExists(rel, root));
        if (to) queue.push(to);
      } else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    };
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause;
        const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
        const typeOnly = clause?.isTypeOnly || (clause && !clause.name && named && named.length > 0 && named.every((e) => e.isTypeOnly));
        if (!typeOnly) use(node.moduleSpecifier.text);
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        if (!node.isTypeOnly) use(node.moduleSpecifier.text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
        use(node.arguments[0].text);
      } else if (ts.isStringLiteralLike(node) && /^\.\.?\/.*\.(?:js|ts)$/.test(node.text)) {
        use(node.text); // a lazy import through a variable
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return [...packages].sort();
}
