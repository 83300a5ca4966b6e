// Throughput of two servers compared fairly on a machine whose speed drifts: both run at
// once (warm, each on the same core when pinned), and short bursts of load alternate
// between them, A B B A …, so that a slow minute of the machine costs both sides alike.
// Starting a fresh process per run and comparing a few long runs spread the answer by
// ±10 % here; this way the two sides see the same conditions to within a second.
import fsp from 'node:fs/promises';
import { startLoad } from './load.js';

/** CPU time (user + system) of a process so far, in µs, from /proc (Linux); NaN elsewhere. */
export async function cpuMicros(pid) {
  try {
    const f = (await fsp.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/**
 * `sides`: { name: { url, pid } } (two of them). Returns per side the totals and per round
 * the rates, plus the ratios of the totals (b / a).
 */
export async function interleavedLoad(sides, { rounds = 20, seconds = 1, connections = 10, warmupSeconds = 2, log = () => {} } = {}) {
  const names = Object.keys(sides);
  if (names.length !== 2) throw new Error('interleavedLoad compares exactly two servers');
  for (const name of names) await startLoad(sides[name].url, { connections, maxSeconds: warmupSeconds }).done;
  const totals = Object.fromEntries(names.map((n) => [n, { requests: 0, cpuUs: 0, seconds: 0, rps: [], cpuPerRequest: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const name of r % 2 ? [...names].reverse() : names) {
      const before = await cpuMicros(sides[name].pid);
      const t0 = performance.now();
      const res = await startLoad(sides[name].url, { connections, maxSeconds: seconds }).done;
      const elapsed = (performance.now() - t0) / 1000;
      const cpu = (await cpuMicros(sides[name].pid)) - before;
      const t = totals[name];
      t.requests += res.requests;
      t.cpuUs += cpu;
      t.seconds += elapsed;
      t.rps.push(res.requests / elapsed);
      t.cpuPerRequest.push(cpu / res.requests);
    }
    log(`  round ${r + 1}: ${names.map((n) => `${n} ${Math.round(totals[n].rps.at(-1))} req/s, ${totals[n].cpuPerRequest.at(-1).toFixed(1)} µs CPU/request`).join('; ')}`);
  }
  const [a, b] = names;
  const rps = Object.fromEntries(names.map((n) => [n, totals[n].requests / totals[n].seconds]));
  const cpuPerRequest = Object.fromEntries(names.map((n) => [n, totals[n].cpuUs / totals[n].requests]));
  return {
    totals,
    rps,
    cpuPerRequest,
    // ratios of the totals: with the A B B A order a steady drift and "the side that goes
    // second in a round" cancel out (a median of per-round ratios does not: it swings between
    // the two orders' values)
    /** b's throughput / a's, and b's CPU per request / a's */
    rpsRatio: rps[b] / rps[a],
    cpuRatio: cpuPerRequest[b] / cpuPerRequest[a],
    rounds,
  };
}
