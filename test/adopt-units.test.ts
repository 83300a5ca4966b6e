// Pure parts of adoption and `dev`: what a listen() asked for, --port on its arguments,
// dev's arguments, the folders that cover the loaded files, the service output ring.
import { describe, expect, it } from 'vitest';
import { listenKey, withPort } from '../src/agent/serve/adopt.js';
import { coveringDirs, parseDevArgs } from '../src/cli/dev.js';
import { LineRing } from '../src/cli/service-process.js';

const cb = () => {};

describe('listen() arguments', () => {
  it('keys a listen() by the port or pipe it asks for', () => {
    expect(listenKey([3000])).toBe('port:3000');
    expect(listenKey(['3000', '127.0.0.1', cb])).toBe('port:3000');
    expect(listenKey([{ port: 8080, host: '::' }, cb])).toBe('port:8080');
    expect(listenKey(['/tmp/app.sock'])).toBe('path:/tmp/app.sock');
    expect(listenKey([{ path: '/tmp/a.sock' }])).toBe('path:/tmp/a.sock');
    expect(listenKey([])).toBe('port:0');
    expect(listenKey([cb])).toBe('port:0');
  });

  it('--port replaces the port wherever the app put it, and leaves a pipe alone', () => {
    expect(withPort([3000, '127.0.0.1', cb], 9)).toEqual([9, '127.0.0.1', cb]);
    expect(withPort([{ port: 3000, host: 'localhost' }, cb], 9)).toEqual([{ port: 9, host: 'localhost' }, cb]);
    expect(withPort([cb], 9)).toEqual([9, cb]);
    expect(withPort([], 9)).toEqual([9]);
    expect(withPort(['/tmp/a.sock'], 9)).toEqual(['/tmp/a.sock']);
    expect(withPort([{ path: '/tmp/a.sock' }], 9)).toEqual([{ path: '/tmp/a.sock' }]);
  });
});

describe('dev arguments', () => {
  it("takes FILE, its own options, and the app's arguments after --", () => {
    expect(parseDevArgs(['app.js', '--port', '0', '--dir', 'views', '--', '--port', '5', 'x'])).toEqual({
      file: 'app.js', appArgs: ['--port', '5', 'x'], port: '0', dirs: ['views'], cooldown: undefined, config: undefined, tui: true, json: false,
    });
    expect(parseDevArgs(['-h'])).toBe('help');
  });

  it('names what is wrong', () => {
    expect(() => parseDevArgs([])).toThrow('missing FILE: the app to run (as in node FILE)');
    expect(() => parseDevArgs(['app.js', '--verbose'])).toThrow("unknown option --verbose (the app's own options go after --)");
    expect(() => parseDevArgs(['app.js', 'extra'])).toThrow("expected one FILE, got app.js extra (the app's own arguments go after --)");
    expect(() => parseDevArgs(['app.js', '--port', 'x'])).toThrow('--port: "x" is not a port (expected 0..65535)');
  });

  it('watches the fewest folders that hold every loaded file', () => {
    expect(coveringDirs(['/a/app.js', '/a/routes/x.js', '/a/lib/deep/y.js', '/b/z.js', '/ab/w.js'])).toEqual(['/a', '/ab', '/b']);
    expect(coveringDirs(['/srv/src/routes/x.js', '/srv/src/lib/y.js'])).toEqual(['/srv/src/lib', '/srv/src/routes']);
  });
});

describe('the service output ring', () => {
  it('keeps the last N complete lines, and the partial one apart', () => {
    const ring = new LineRing(3);
    expect(ring.push('a\nb')).toEqual(['a']);
    expect(ring.push('\r\nc\nd\ne\npart')).toEqual(['b', 'c', 'd', 'e']);
    expect(ring.all()).toEqual(['c', 'd', 'e', 'part']);
  });
});
