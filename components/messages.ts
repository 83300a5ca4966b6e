// Engine messages made to fit a line: the useful part (the reason, the fix) must survive
// the cut. Client errors read "GET http://host/path: service unreachable (connection
// refused)"; the header already shows the URL, so the reason is what is left.

const REQUEST_PREFIX = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+: /;

/** The reason of a failed contact without the request it came from: `connection refused`. */
export function shortReason(message: string): string {
  let s = message.replace(/\s*\n\s*/g, ' ').trim().replace(REQUEST_PREFIX, '');
  const unreachable = /^service unreachable \((.+)\)$/.exec(s);
  if (unreachable) s = unreachable[1];
  return s;
}

/**
 * A warning without repetition: "(GET http://h/health: service unreachable (…))" after the
 * same URL was already named keeps only the reason.
 */
export function compactWarning(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').trim();
  return flat.replace(/\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (https?:\/\/\S+?): /g, (whole, url: string, offset: number) => {
    const origin = /^https?:\/\/[^/]+/.exec(url)?.[0] ?? url;
    return flat.slice(0, offset).includes(origin) ? '' : whole;
  });
}
