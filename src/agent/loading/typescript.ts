// Decorator metadata (`emitDecoratorMetadata`, which TypeORM, NestJS and class-validator
// read through reflect-metadata) is emitted by TypeScript itself; esbuild emits none. A
// file that needs it goes through TypeScript's transpileModule (to modern ESM with an
// inline source map), then through esbuild like every other file. TypeScript is taken from
// the app first (a project with decorators has it), else from this package's own install;
// it is loaded only when a file needs it.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as TS from 'typescript';
import { ModuleLoadError } from '../errors.js';
import type { Tsconfig } from './tsconfig.js';

const TS_FILE = /\.(ts|mts|cts|tsx)$/;

/** Does `file` need TypeScript itself: metadata asked for, and a decorator (or what may be one) in it. */
export function needsTypeScript(file: string, source: string, tsconfig: Tsconfig | undefined): boolean {
  const co = tsconfig?.compilerOptions;
  return !!co?.experimentalDecorators && !!co.emitDecoratorMetadata && TS_FILE.test(file) && source.includes('@');
}

const loaded = new Map<string, typeof TS>();

function typescriptFor(file: string, tsconfig: Tsconfig): typeof TS {
  const dir = dirname(file);
  const hit = loaded.get(dir);
  if (hit) return hit;
  for (const from of [file, import.meta.url]) {
    try {
      const ts = createRequire(from)('typescript') as typeof TS;
      loaded.set(dir, ts);
      return ts;
    } catch {
      // not installed there
    }
  }
  throw new ModuleLoadError(
    `emitDecoratorMetadata in ${tsconfig.path} needs the typescript package to emit decorator metadata: npm install --save-dev typescript`,
    { file },
  );
}

/** `source` as modern JavaScript with decorator metadata and an inline source map. */
export function viaTypeScript(file: string, source: string, tsconfig: Tsconfig): string {
  const ts = typescriptFor(file, tsconfig);
  const { options, errors } = ts.convertCompilerOptionsFromJson(tsconfig.compilerOptions, dirname(tsconfig.path));
  if (errors.length) throw new ModuleLoadError(`${tsconfig.path}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, '\n')}`, { file: tsconfig.path });
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      ...options,
      // ES modules out: esbuild turns them into the CommonJS the agent evaluates
      module: ts.ModuleKind.ESNext,
      target: options.target ?? ts.ScriptTarget.ES2022,
      inlineSourceMap: true,
      inlineSources: false,
      sourceMap: false,
      declaration: false,
      declarationMap: false,
      noEmit: false,
      emitDeclarationOnly: false,
    },
  });
  const error = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (error) {
    const text = ts.flattenDiagnosticMessageText(error.messageText, '\n');
    const pos = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : undefined;
    const line = pos ? pos.line + 1 : undefined;
    const column = pos ? pos.character + 1 : undefined;
    return throwSyntax(file, text, line, column, pos ? source.split('\n')[pos.line] : undefined);
  }
  return out.outputText;
}

function throwSyntax(file: string, text: string, line?: number, column?: number, lineText?: string): never {
  const where = line ? `${file}:${line}:${column}` : file;
  const excerpt = lineText !== undefined && column ? `\n    ${lineText}\n    ${' '.repeat(column - 1)}^` : '';
  throw new ModuleLoadError(`SyntaxError: ${text}`, { file, line, column, stack: `SyntaxError: ${text}\n    at ${where}${excerpt}` });
}
