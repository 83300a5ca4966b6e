// The routes of the counter. Its value is kept in ../state/counter.js, which a reload
// of this file leaves alone: edit this file freely and the count carries on.
import { json } from '../http.js';
import { current, increment } from '../state/counter.js';

/** @param {import('../router.js').DemoRequest} _request */
export function getCounter(_request) {
  return json(200, { count: current() });
}

/** @param {import('../router.js').DemoRequest} _request */
export function bumpCounter(_request) {
  return json(200, { count: increment() });
}
