// Lets every benchmark script run alone (`node bench/latency.js --quick`) as well as from run.js.
import { pathToFileURL } from 'node:url';
import { renderText } from './stats.js';
import { cleanupAllSync } from './cleanup.js';

export function isMain(metaUrl) {
  return process.argv[1] !== undefined && metaUrl === pathToFileURL(process.argv[1]).href;
}

export function log(msg) {
  process.stderr.write(`  ${msg}\n`);
}

export function printResult(result) {
  process.stdout.write(`\n== ${result.title} ==\n`);
  for (const t of result.tables) process.stdout.write(`\n${renderText(t)}\n`);
  for (const n of result.notes ?? []) process.stdout.write(`\n* ${n}`);
  process.stdout.write('\n');
}

export async function runStandalone(run) {
  const quick = process.argv.includes('--quick');
  try {
    const result = await run({ quick, log });
    printResult(result);
    cleanupAllSync();
    process.exit(0);
  } catch (e) {
    process.stderr.write(`bench failed: ${e?.stack ?? e}\n`);
    cleanupAllSync();
    process.exit(1);
  }
}
