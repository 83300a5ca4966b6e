// Every answer recorded from the seed's real server (../shared/seed-server-wire/) replayed
// through the client, from a real HTTP server on 127.0.0.1: `null` is absent in every
// field; a failed answer is read as what it says; nothing the real server sent is "wrong shape".
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ApiClient } from '../src/client/client.js';
import { HttpError, InvalidResponseError } from '../src/client/errors.js';
import { withoutNulls } from '../src/protocol/schemas.js';
import { isLegacyStatus } from '../src/protocol/wire.js';
import { makeConfig } from './helpers/config.js';
import { readWire, type WireAnswer } from './helpers/seed-wire.js';

const answers = readWire();
let replay: WireAnswer | undefined;
let server: http.Server;
let url: string;

beforeAll(async () => {
  // answers whatever it is asked with the answer under test, as the real server sent it
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = replay ?? { status: 500, text: '{}' };
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

type Kind = 'health' | 'status' | 'reload' | 'reload-module' | 'verify' | 'rollback' | 'other';

/** Which client call this answer answers (by the path it was recorded at). */
function kindOf(a: WireAnswer): Kind {
  const p = (a.path ?? '').split('?')[0];
  if (p.endsWith('/health')) return 'health';
  if (p.endsWith('/status')) return 'status';
  if (p.endsWith('/reload-all') || p.endsWith('/check')) return 'reload';
  if (/\/reload\/[^/]+$/.test(p)) return 'reload-module';
  if (p.endsWith('/verify')) return 'verify';
  if (p.endsWith('/rollback')) return 'rollback';
  return 'other';
}

const legacyStatus = JSON.stringify(answers.find((a) => kindOf(a) === 'status')!.body);

async function legacyClient(): Promise<ApiClient> {
  const client = createClient({ name: 'seed', apiUrl: url }, makeConfig({ apiUrl: url }));
  replay = { file: '', title: 'status', status: 200, text: legacyStatus, body: null };
  await client.status(); // the dialect is known from the first status
  expect(client.dialect).toBe('legacy');
  return client;
}

const lists = (b: Record<string, unknown>) => ({
  reloaded_modules: (b.reloaded_modules as string[] | null) ?? [],
  failed_modules: (b.failed_modules as string[] | null) ?? [],
});

describe('every recorded answer of the seed server, replayed through the client', () => {
  it('found the recordings (../shared/seed-server-wire beside the clone)', () => {
    expect(answers.length).toBeGreaterThanOrEqual(30);
    expect(answers.filter((a) => a.text.includes(':null')).length).toBeGreaterThanOrEqual(10);
  });

  for (const a of answers) {
    it(`${a.file}: ${a.title} (${kindOf(a)})`, async () => {
      const client = await legacyClient();
      replay = a;
      const b = a.body as Record<string, unknown>;
      switch (kindOf(a)) {
        case 'health':
          expect(await client.health()).toEqual({ ok: true, httpStatus: 200 });
          break;
        case 'status': {
          const s = await client.status();
          expect(isLegacyStatus(s)).toBe(true);
          expect(s).toEqual(withoutNulls((b as { status: unknown }).status));
          expect(Object.keys(s.versions ?? {})).toEqual(['rules', 'content', 'source']);
          break;
        }
        case 'reload':
        case 'reload-module': {
          if (a.status !== 200) {
            const e = (await client.reload({ modules: [a.path!.split('/').pop()!] }).catch((x: unknown) => x)) as HttpError;
            expect(e).toBeInstanceOf(HttpError);
            expect(e.status).toBe(a.status);
            expect(e.serverMessage).toBe((b as { detail: string }).detail);
            break;
          }
          const r = kindOf(a) === 'reload-module' ? await client.reload({ modules: [a.path!.split('/').pop()!] }) : await client.reload({});
          expect(r.success).toBe(b.success);
          const { reloaded_modules, failed_modules } = lists(b);
          // one module through reload/{module}: when it failed it names itself (the server sent both lists null)
          expect(r.reloaded_modules).toEqual(reloaded_modules);
          expect(r.failed_modules).toEqual(b.success === false && kindOf(a) === 'reload-module' ? [a.path!.split('/').pop()] : failed_modules);
          expect(r.message).toBe(b.message);
          break;
        }
        case 'verify': {
          const v = await client.verify();
          expect(v?.success).toBe(b.success);
          expect(v?.checks).toEqual(b.checks);
          break;
        }
        case 'rollback': {
          const r = await client.rollback({});
          expect(r).toEqual({ success: true, message: b.message });
          break;
        }
        case 'other': {
          // an answer the client never asks for: still read as what it is, as a probe would
          const p = await client.probe({ name: 'x', method: a.method ?? 'GET', path: a.path ?? '/', expectStatus: a.status });
          expect(p.ok).toBe(true);
          break;
        }
      }
    });
  }
});

describe('bad answers in the seed dialect', () => {
  it('a field of the wrong type is an invalid response naming the field', async () => {
    const client = await legacyClient();
    replay = { file: '', title: '', status: 200, body: null, text: JSON.stringify({ success: true, message: 'x', reloaded_modules: 'source', failed_modules: null }) };
    const e = (await client.reload({}).catch((x: unknown) => x)) as InvalidResponseError;
    expect(e).toBeInstanceOf(InvalidResponseError);
    expect(e.message).toContain('invalid response (wrong shape: field "reloaded_modules": expected array, received string)');
    replay = { file: '', title: '', status: 200, body: null, text: '{"success":true,"status":{"running":true,"versions":{"rules":{"current":"one"}}}}' };
    const s = (await client.status().catch((x: unknown) => x)) as InvalidResponseError;
    expect(s.message).toContain('field "status.versions.rules.current": expected number, received string');
  });

  it('an HTML page or a truncated body is an invalid response, not a crash', async () => {
    const client = await legacyClient();
    replay = { file: '', title: '', status: 200, body: null, text: '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>' };
    const html = (await client.verify().catch((x: unknown) => x)) as InvalidResponseError;
    expect(html).toBeInstanceOf(InvalidResponseError);
    expect(html.problem).toMatch(/^not JSON: /);
    replay = { file: '', title: '', status: 200, body: null, text: answers.find((a) => a.title.endsWith('reload-all'))!.text.slice(0, 60) };
    const cut = (await client.reload({}).catch((x: unknown) => x)) as InvalidResponseError;
    expect(cut).toBeInstanceOf(InvalidResponseError);
    expect(cut.problem).toMatch(/^not JSON: /);
  });
});
