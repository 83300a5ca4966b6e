// Try it: change the text (and bump `version`), save, trigger a reload, and
// `curl http://127.0.0.1:8001/api/v1/greeting` answers the new text from the same pid.
import { json } from '../http.js';

/** @param {import('../router.js').DemoRequest} _request */
export function greeting(_request) {
  return json(200, { greeting: 'Hello from the demo!', version: 1, pid: process.pid });
}
