// TypeScript as tsc: the nearest tsconfig.json (with extends) governs each file — legacy
// decorators with metadata that reflect-metadata reads (a TypeORM/NestJS-style entity and
// service), useDefineForClassFields, jsx — and errors point at the .ts line of the version
// whose code threw.
import { afterEach, describe, expect, it } from 'vitest';
import type { Hot } from '../src/agent/hot-env.js';
import { installStackMapping } from '../src/agent/loading/stack-traces.js';
import { appDir, call, PREFIX, serveInProcess, type AppDir, type Served } from './helpers/agent-fixture.js';

let app: AppDir;
let served: Served;
afterEach(async () => {
  await served?.close();
  app?.cleanup();
  delete (globalThis as { __ahrFails?: unknown }).__ahrFails;
});

const reload = () => call(`${served.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
const get = (path = '/') => call(`${served.base}${path}`);

const TSCONFIG_BASE = JSON.stringify({
  compilerOptions: { target: 'ES2021', experimentalDecorators: true, emitDecoratorMetadata: true, useDefineForClassFields: false, strict: true },
});
const TSCONFIG = JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { jsx: 'react', jsxFactory: 'h' } });

// what TypeORM's @Entity/@Column and NestJS's @Injectable do with the metadata
const ORM = `import 'reflect-metadata';
export const columns = new Map<Function, { name: string; type: string }[]>();
export function Entity(): ClassDecorator {
  return (target) => Reflect.defineMetadata('orm:entity', true, target);
}
export function Column(): PropertyDecorator {
  return (target, key) => {
    const type = Reflect.getMetadata('design:type', target, key) as Function | undefined;
    const list = columns.get(target.constructor) ?? [];
    list.push({ name: String(key), type: type?.name ?? 'none' });
    columns.set(target.constructor, list);
  };
}
export function Injectable(): ClassDecorator {
  return () => {};
}
`;
const user = (extra = '') => `import { Column, Entity, Injectable } from './orm.js';

@Entity()
export class User {
  @Column() name!: string;
  @Column() age!: number;
  @Column() createdAt!: Date;${extra}

  fail(): never {
    throw new Error('user failed');
  }
}

export class Repo {}

@Injectable()
export class UserService {
  constructor(readonly repo: Repo) {}
}
`;
const APP = `import type { IncomingMessage, ServerResponse } from 'node:http';
import { columns } from './orm.js';
import { User, UserService } from './user.js';
import { kind } from './fields.js';
import { render } from './view.js';

(globalThis as any).__ahrFails ??= [];
(globalThis as any).__ahrFails.push(() => new User().fail());

export default (req: IncomingMessage, res: ServerResponse): void => {
  res.end(JSON.stringify({
    columns: columns.get(User),
    entity: Reflect.getMetadata('orm:entity', User),
    params: (Reflect.getMetadata('design:paramtypes', UserService) as Function[]).map((f) => f.name),
    kind,
    view: render(),
  }));
};
`;
// useDefineForClassFields: false keeps a declared field from shadowing the base class's getter
const FIELDS = `class Base {\n  get kind(): string {\n    return 'base getter';\n  }\n}\nclass Sub extends Base {\n  declare extra: number;\n  kind!: string;\n}\nexport const kind = new Sub().kind;\n`;
const VIEW = `const h = (tag: string, _props: unknown, ...children: string[]) => \`<\${tag}>\${children.join('')}</\${tag}>\`;\nexport const render = () => <b>hi</b>;\n`;

function start() {
  app = appDir(
    {
      'tsconfig.base.json': TSCONFIG_BASE,
      'tsconfig.json': TSCONFIG,
      'orm.ts': ORM,
      'user.ts': user(),
      'fields.ts': FIELDS,
      'view.tsx': VIEW,
      'app.ts': APP,
    },
    { nodeModules: true },
  );
  return serveInProcess({ entry: app.path('app.ts'), root: app.dir, prewarm: false });
}

// compile-time: `auto-hot-reload/hot` types import.meta.hot and module.hot (typecheck:all fails otherwise)
export const typedHot = (meta: ImportMeta, mod: NodeJS.Module): Hot[] => [meta.hot, mod.hot];

describe('TypeScript as tsc', () => {
  it('emits decorator metadata that reflect-metadata reads, and follows the tsconfig it extends', async () => {
    served = await start();
    const body = (await get()).body;
    expect(body).toEqual({
      columns: [
        { name: 'name', type: 'String' },
        { name: 'age', type: 'Number' },
        { name: 'createdAt', type: 'Date' },
      ],
      entity: true,
      params: ['Repo'],
      kind: 'base getter',
      view: '<b>hi</b>',
    });
    app.write('user.ts', user(`\n  @Column() email!: string;`));
    const r = await reload();
    expect(r.body).toMatchObject({ success: true, version: 2 });
    expect((await get()).body.columns).toEqual([
      { name: 'name', type: 'String' },
      { name: 'age', type: 'Number' },
      { name: 'createdAt', type: 'Date' },
      { name: 'email', type: 'String' },
    ]);
  });

  it('points a load error of a decorated file at its .ts line', async () => {
    served = await start();
    app.write('user.ts', `${user()}\nif (User) throw new Error('bad entity');\n`);
    const r = await reload();
    expect(r.body).toMatchObject({ success: false, error: { message: 'bad entity', file: app.path('user.ts'), line: 21 } });
    app.write('user.ts', `${user()}\nexport const broken = ;\n`);
    const s = await reload();
    expect(s.body).toMatchObject({ success: false, error: { message: 'SyntaxError: Expression expected.', file: app.path('user.ts'), line: 21, column: 23 } });
  });

  it('maps a run-time error through the source map of the version whose code threw', async () => {
    installStackMapping();
    served = await start();
    // version 2 moves fail() three lines down
    app.write('user.ts', user(`\n  @Column() a!: string;\n  @Column() b!: string;\n  @Column() c!: string;`));
    expect((await reload()).body.success).toBe(true);
    const fails = (globalThis as { __ahrFails?: (() => void)[] }).__ahrFails!;
    const stackOf = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return (err as Error).stack!;
      }
      return '';
    };
    expect(stackOf(fails[0])).toContain(`${app.path('user.ts')}:10:`);
    expect(stackOf(fails[1])).toContain(`${app.path('user.ts')}:13:`);
    expect(stackOf(fails[0])).toContain(`${app.path('user.ts')}:10:`);
  });
});
