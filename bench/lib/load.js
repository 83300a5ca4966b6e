// Bounded keep-alive load with autocannon's programmatic API, stoppable on demand.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');

/**
 * Start load against `url`; `stop()` ends it early and resolves the summary
 * `{requests, ok2xx, non2xx, errors, timeouts, failed, rps}`.
 */
export function startLoad(url, { connections = 10, maxSeconds = 120, timeoutS = 5 } = {}) {
  let instance;
  const done = new Promise((resolve, reject) => {
    instance = autocannon({ url, connections, duration: maxSeconds, timeout: timeoutS }, (err, r) => {
      if (err) return reject(err);
      const ok2xx = r['2xx'];
      resolve({
        requests: r.requests.total,
        ok2xx,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        failed: r.errors + r.non2xx,
        rps: r.requests.average,
        latencyP50: r.latency.p50,
        latencyP99: r.latency.p99,
        seconds: r.duration,
      });
    });
  });
  // autocannon logs nothing unless asked; keep our stdout clean all the same
  instance.on('error', () => {});
  return {
    done,
    stop() {
      instance.stop();
      return done;
    },
  };
}
