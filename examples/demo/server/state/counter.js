// The counter's value lives here, in a module of its own: reloading a route does not
// re-run this file, so the count survives every reload that does not edit this file.
let count = 0;

/** @returns {number} the new count */
export function increment() {
  count += 1;
  return count;
}

/** @returns {number} */
export function current() {
  return count;
}
