// Reads the answers recorded from the seed's real server (../shared/seed-server-wire/,
// beside the clone: CI has ../shared there too; it is not copied into the repo). Each
// recorded JSON body becomes one answer: the section title it was recorded under, its HTTP
// status (200 unless the recording shows another), its method and path when the title names them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WIRE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/seed-server-wire');

export interface WireAnswer {
  file: string;
  title: string;
  method?: string;
  /** the path as the title gives it (sometimes short: `/check?module_name=source`) */
  path?: string;
  status: number;
  text: string;
  body: unknown;
}

/** 2-reload-all.txt has no section title: it is one answer of this. */
const UNTITLED: Record<string, string> = { '2-reload-all.txt': 'POST /api/v1/hot-reload/reload-all' };

export function readWire(dir = WIRE_DIR): WireAnswer[] {
  const out: WireAnswer[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    let title = UNTITLED[file] ?? file;
    let status = 200;
    for (const raw of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const line = raw.trim();
      if (line.startsWith('### ')) {
        title = line.slice(4);
        status = 200;
        continue;
      }
      const http = /^HTTP\/1\.1 (\d{3})/.exec(line);
      if (http) {
        status = Number(http[1]);
        continue;
      }
      // `greeting: {...}`: the application's answer, recorded inside another section
      const named = /^([a-z_]+): (\{.*)$/.exec(line);
      const text = named ? named[2] : line.startsWith('{') ? line : undefined;
      if (text === undefined) continue;
      const t = named ? `GET /api/v1/${named[1]}` : title;
      const m = /\b(GET|POST) (\/\S*)/.exec(t);
      out.push({ file, title: named ? `${title} → ${named[1]}` : title, method: m?.[1], path: m?.[2], status: named ? 200 : status, text, body: JSON.parse(text) as unknown });
    }
  }
  return out;
}
