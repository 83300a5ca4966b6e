// A reload that left files loaded by Node stale reads as a warning in the reload log and
// in headless lines, never as a plain success.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { resultJson, resultLines, styleFor } from '../src/cli/output.js';
import { ClockContext } from '../components/view/clock.js';
import { ReloadLog } from '../components/panels/ReloadLog.js';
import { attempt, makeState, makeStore, plain, T0 } from './helpers/tui-state.js';

process.env.TZ = 'UTC';
afterEach(() => cleanup());

const STALE = 'reloaded 0 modules; loaded by Node, not reloadable: node_modules/ms/index.js (restart the service to run them)';
const staleAttempt = attempt(1, { versionAfter: 11, message: STALE, notReloadable: ['node_modules/ms/index.js'], files: ['node_modules/ms/index.js'] });

describe('not reloadable', () => {
  it('the reload log marks the attempt ⚠ and says why on a line of its own', () => {
    const store = makeStore(makeState({ history: [staleAttempt, attempt(2)] })).store;
    const r = render(<ClockContext.Provider value={() => T0}>{<ReloadLog store={store} width={100} rows={5} />}</ClockContext.Provider>);
    const shown = plain(r.lastFrame()).split('\n');
    expect(shown[1]).toMatch(/^11:59:59 {2}⚠ not reloadable +v11 +120ms +node_modules\/ms\/index\.js — reloaded 0 modules; lo/);
    // the reason, whole, beneath it (wrapped where it does not fit)
    expect(shown.slice(2, 4).map((l) => l.trim()).join(' ')).toBe(`└ ${STALE}`);
    expect(shown[4]).toMatch(/✔ ok/);
  });

  it('headless: a ⚠ result line; --json: the list', () => {
    const result = { kind: 'trigger' as const, ok: true, exitCode: 0 as const, message: STALE, attempt: staleAttempt, checks: [] };
    const out = resultLines(result, styleFor({ isTTY: false }, {}));
    expect(out[out.length - 1]).toMatch(/^⚠ trigger: reloaded 0 modules; loaded by Node, not reloadable: node_modules\/ms\/index\.js/);
    expect(resultJson(result)).toMatchObject({ ok: true, outcome: 'ok', notReloadable: ['node_modules/ms/index.js'] });
  });
});
