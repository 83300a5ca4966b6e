// Whether a local module was ES module source before esbuild turned it into CommonJS:
// its imports of packages then take the `import` condition, as under `node`, and its
// requires the `require` one. Node's rules: the extension (.mjs/.mts, .cjs/.cts), else
// the nearest package.json `type`, else the syntax (Node >= 20.19 detects ESM syntax in
// a file without a type; so does its TypeScript type stripping).
import { readFileSync } from 'node:fs';
import { dirname, extname, join, sep } from 'node:path';
import { IMPORT_META_PARAM } from './transform.js';

export type ModuleFormat = 'esm' | 'cjs';

const BY_EXTENSION: Record<string, ModuleFormat> = { '.mjs': 'esm', '.mts': 'esm', '.cjs': 'cjs', '.cts': 'cjs', '.json': 'cjs' };

// What esbuild's CommonJS output of ESM source always carries: `export` becomes
// `module.exports = __toCommonJS(…)`, `export * from` a `__reExport(…)`, every `import`
// statement a `var import_<name> = [__toESM(]require(…)` at the start of a line (a
// lowered `import()` is `Promise.resolve().then(() => __toESM(require(…)))`, not at a
// line start: CommonJS may use it), and `import.meta` our parameter.
const ESM_OUTPUT = new RegExp(`\\b__toCommonJS\\(|\\b__reExport\\(|^var import_[\\w$]+ = (?:__toESM\\()?require\\(|\\b${IMPORT_META_PARAM}\\b`, 'm');

export class FormatDetector {
  // directory → the `type` of its nearest package.json (undefined: none says)
  private readonly types = new Map<string, string | undefined>();
  // the last answer per file: an importer evaluated again has the very same output
  private readonly bySyntax = new Map<string, { compiled: string; format: ModuleFormat }>();

  /** The format of a local module, from its path and esbuild's CommonJS output. */
  formatOf(file: string, compiled: string): ModuleFormat {
    const byExt = BY_EXTENSION[extname(file)];
    if (byExt) return byExt;
    const type = this.packageType(dirname(file));
    if (type === 'module') return 'esm';
    if (type === 'commonjs') return 'cjs';
    const hit = this.bySyntax.get(file);
    if (hit && hit.compiled === compiled) return hit.format;
    const format: ModuleFormat = ESM_OUTPUT.test(compiled) ? 'esm' : 'cjs';
    this.bySyntax.set(file, { compiled, format });
    return format;
  }

  /** Forget what package.json files said (one was edited). */
  clear(): void {
    this.types.clear();
  }

  private packageType(dir: string): string | undefined {
    if (this.types.has(dir)) return this.types.get(dir);
    let type: string | undefined;
    let text: string | null = null;
    try {
      text = readFileSync(join(dir, 'package.json'), 'utf8');
    } catch {
      // none here: ask the parent
    }
    if (text !== null) {
      try {
        const t = (JSON.parse(text) as { type?: unknown }).type;
        type = typeof t === 'string' ? t : undefined;
      } catch {
        type = undefined; // Node fails on it elsewhere; here it says nothing
      }
    } else {
      const up = dirname(dir);
      type = up === dir || dir.endsWith(`${sep}node_modules`) ? undefined : this.packageType(up);
    }
    this.types.set(dir, type);
    return type;
  }
}
