// A tiny items API. The items themselves are kept in ../state/items.js.
import { HttpError, json } from '../http.js';
import { addItem, getItem, listItems } from '../state/items.js';

const MAX_NAME_LENGTH = 100;

/** @param {import('../router.js').DemoRequest} _request */
export function listItemsRoute(_request) {
  return json(200, { items: listItems() });
}

/** @param {import('../router.js').DemoRequest} request */
export function getItemRoute(request) {
  const raw = request.params.id;
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw new HttpError(400, `item id must be a positive whole number, got "${raw}"`);
  }
  const item = getItem(Number(raw));
  if (!item) throw new HttpError(404, `no item with id ${raw}`);
  return json(200, { item });
}

/** @param {import('../router.js').DemoRequest} request */
export function createItemRoute(request) {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'expected a JSON object like {"name": "plum"}');
  }
  const name = /** @type {{ name?: unknown }} */ (body).name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME_LENGTH) {
    throw new HttpError(400, `"name" must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
  }
  return json(201, { item: addItem(name.trim()) });
}
