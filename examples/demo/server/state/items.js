// The items live here, apart from their routes, so they survive reloads of the routes.

/** @typedef {{ id: number, name: string }} Item */

/** @type {Item[]} */
const items = [
  { id: 1, name: 'apple' },
  { id: 2, name: 'pear' },
];
let nextId = 3;

/** @returns {Item[]} a copy, so callers cannot change the store by accident */
export function listItems() {
  return items.map((item) => ({ ...item }));
}

/**
 * @param {number} id
 * @returns {Item | undefined}
 */
export function getItem(id) {
  const item = items.find((candidate) => candidate.id === id);
  return item ? { ...item } : undefined;
}

/**
 * @param {string} name
 * @returns {Item}
 */
export function addItem(name) {
  const item = { id: nextId++, name };
  items.push(item);
  return { ...item };
}
