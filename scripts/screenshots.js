#!/usr/bin/env node
// `npm run screenshots`: PNGs of real renders of the TUI. For each terminal size it
// copies the package to a temp dir (scripts/demo-package.js), runs the real `demo` (the
// service as its child, the TUI) in a tmux pane, edits files the way a person would, captures the pane with its colours
// (`capture-pane -e -p`) at each scene, and rasterizes the ANSI text (scripts/ansi-png.js).
//
//   node scripts/screenshots.js [--out DIR] [--sizes 80x24,120x40]
//
// Needs tmux, a built dist/ (the npm script builds first), and the dev dependencies
// @resvg/resvg-js and dejavu-fonts-ttf.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { screenToPng } from './ansi-png.js';
import { demoPackage } from './demo-package.js';
import { startTmux } from './tmux.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** a cooldown long enough for a person (and a capture) to see the countdown */
const COOLDOWN_S = 4;
/** how long the deliberately slow check takes, so "reloading…" can be seen */
const SLOW_CHECK_MS = 2500;

function usage(message) {
  process.stderr.write(`screenshots: ${message}\nusage: node scripts/screenshots.js [--out DIR] [--sizes 80x24,120x40]\n`);
  process.exit(2);
}

function parseSizes(text) {
  return text.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (!m || Number(m[1]) < 40 || Number(m[2]) < 12 || Number(m[1]) > 300 || Number(m[2]) > 120) {
      usage(`--sizes: ${JSON.stringify(s)} is not a size (expected COLSxROWS like 80x24, at least 40x12)`);
    }
    return { cols: Number(m[1]), rows: Number(m[2]) };
  });
}

async function shoot({ cols, rows }, outDir) {
  // `demo` as `npm start` runs it, in a copy of the package (edits stay out of the repo):
  // the service is its child, so its own output is on screen too
  const demo = demoPackage({ cooldown: COOLDOWN_S });
  const term = await startTmux([process.execPath, demo.bin, 'demo', '--port', '0'], { cwd: demo.dir, cols, rows });
  const written = [];
  const capture = async (scene, title, size = { cols, rows }) => {
    const text = await term.capture({ ansi: true });
    const file = path.join(outDir, `${scene}-${size.cols}x${size.rows}.png`);
    writeFileSync(file, await screenToPng(text, { cols: size.cols, rows: size.rows, title: `auto-hot-reload — ${title} (${size.cols}×${size.rows})` }));
    written.push(file);
    process.stdout.write(`  ${path.relative(process.cwd(), file)}\n`);
  };
  try {
    await term.waitFor((s) => s.includes('● connected') && /watching · 8 files/.test(s), 20_000, 'the service connected');

    // idle after one good reload: the loop at rest
    demo.edit('server/routes/greeting.js', "'Hello from the demo!'", "'Hello, hot reload!'");
    await term.waitFor(/✔ ok\s+v1 → v2/, 20_000, 'the first reload');
    await term.waitFor((s) => !/▸|left ·/.test(s), 20_000, 'the cooldown to end');
    await capture('idle', 'idle after a reload');

    // a slow check keeps the reload running; a save meanwhile waits for the cooldown
    const SLOW_CHECK = `\n  warmup: async () => {\n    await new Promise((resolve) => setTimeout(resolve, ${SLOW_CHECK_MS}));\n    return { ok: true, detail: 'caches warm' };\n  },`;
    demo.edit('server/app.js', 'export const checks = {', `export const checks = {${SLOW_CHECK}`);
    await term.waitFor(/▸ reloading…/, 20_000, 'the slow reload to start');
    demo.edit('server/routes/items.js', 'const MAX_NAME_LENGTH = 100;', 'const MAX_NAME_LENGTH = 120;');
    await term.waitFor((s) => /▸ reloading…/.test(s) && /1 pending/.test(s), 10_000, 'a pending change during the reload');
    await capture('reloading', 'reloading, one change pending');
    await term.waitFor(/✔ ok\s+v3 → v4/, 30_000, 'the trailing reload');
    demo.edit('server/app.js', SLOW_CHECK, '');
    await term.waitFor(/✔ ok\s+v4 → v5/, 30_000, 'the reload without the slow check');
    await term.waitFor((s) => !/▸|left ·/.test(s), 20_000, 'the cooldown to end');

    // a quick reload, then a save inside its cooldown: one trailing reload, counted down
    demo.edit('server/routes/greeting.js', "'Hello, hot reload!'", "'Hello again!'");
    await term.waitFor(/✔ ok\s+v5 → v6/, 20_000, 'a quick reload');
    demo.edit('server/routes/items.js', 'const MAX_NAME_LENGTH = 120;', 'const MAX_NAME_LENGTH = 100;');
    await term.waitFor((s) => /\ds left · 1 pending/.test(s) && !/▸/.test(s), 10_000, 'the countdown with one change pending');
    await capture('cooldown', 'cooldown, one change pending');
    await term.waitFor(/✔ ok\s+v6 → v7/, 20_000, 'the trailing reload');
    await term.waitFor((s) => !/▸|left ·/.test(s), 20_000, 'the cooldown to end');

    // loads and passes the in-process checks, fails the greeting probe: rolled back
    demo.edit('server/routes/greeting.js', 'version: 1,', 'version: 3n,');
    await term.waitFor(/↺ rolled back/, 20_000, 'the rollback');
    await term.waitFor((s) => !/▸/.test(s), 20_000, 'the re-verification to finish');
    await capture('rolled-back', 'a failed probe, rolled back');

    await term.sendKeys('e');
    await term.waitFor((s) => /^Error log \d+ entr/m.test(s) && /^› /m.test(s) && !/loading…/.test(s), 5_000, 'the error log, loaded, with a selected entry');
    await capture('error-log', 'error log');
    await term.sendKeys('Enter');
    await term.waitFor(/^message\s+/m, 5_000, 'the error detail');
    await capture('error-detail', 'one error in detail');
    // one Esc at a time: two ESC bytes in one read are one key (meta+Esc) to a terminal app
    await term.sendKeys('Escape');
    await term.waitFor(/^Error log \d+ entr/m, 5_000, 'the error log again');
    await term.sendKeys('Escape');
    await term.waitFor(/Reloads \d+ attempt/, 5_000, 'the main screen');

    // the service's own output: the exception behind the probe's 500
    await term.sendKeys('o');
    await term.waitFor((s) => /^Service output \d+ lines/m.test(s) && /serialize a BigInt/.test(s), 5_000, 'the service output with the exception');
    await capture('service-output', "the service's output");
    await term.sendKeys('Escape');
    await term.waitFor(/Reloads \d+ attempt/, 5_000, 'the main screen');

    await term.sendKeys('?');
    await term.waitFor(/show \/ hide this help/, 5_000, 'the help');
    await capture('help', 'help');
    await term.sendKeys('?');
    await term.waitFor(/Reloads \d+ attempt/, 5_000, 'the main screen');

    // a narrow pane: the least needed columns give way, quit and the connection state stay
    if (cols === 80) {
      const narrow = { cols: 60, rows: 20 };
      await term.resize(narrow.cols, narrow.rows);
      await term.waitFor((s) => /q\/\^C quit\s*$/m.test(s) && !s.split('\n').some((l) => [...l].length > narrow.cols), 5_000, 'the narrow layout');
      await capture('narrow', 'a narrow pane', narrow);
      await term.resize(cols, rows);
      await term.waitFor((s) => s.split('\n').some((l) => [...l].length > narrow.cols), 5_000, 'the full size again');
    }

    await term.sendKeys('q');
    const exit = await term.waitForExit(10_000);
    if (exit.status !== 0) throw new Error(`the CLI exited with ${exit.status} after q`);
  } finally {
    await term.kill();
    demo.cleanup();
  }
  return written;
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, sizes: { type: 'string' } }, strict: true }));
  } catch (e) {
    usage(e.message.split('\n')[0]);
  }
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) usage('dist/ is missing: run npm run build first (npm run screenshots does)');
  const outDir = path.resolve(values.out ?? path.join(ROOT, 'screenshots'));
  const sizes = parseSizes(values.sizes ?? '80x24,120x40');
  mkdirSync(outDir, { recursive: true });
  const t0 = Date.now();
  let count = 0;
  for (const size of sizes) {
    process.stdout.write(`${size.cols}×${size.rows}:\n`);
    count += (await shoot(size, outDir)).length;
  }
  process.stdout.write(`${count} screenshots in ${path.relative(process.cwd(), outDir) || '.'} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}

main().catch((e) => {
  process.stderr.write(`screenshots: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
