// The baseline for the overhead benchmark: a request-listener module on plain node:http.
//   node bench/lib/bare-server.js <module>    prints "listening on http://127.0.0.1:PORT"
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const file = process.argv[2];
if (!file) throw new Error('usage: bare-server.js <module whose default export is a request listener>');
const { default: app } = await import(pathToFileURL(path.resolve(file)).href);
if (typeof app !== 'function') throw new Error(`${file}: the default export is not a request listener`);
const server = http.createServer(app);
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
