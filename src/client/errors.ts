// Typed errors of the API client, one class per failure kind (as ky's HTTPError/TimeoutError).
// Every failure of a request is mapped to one of these at the adapter edge; the pipeline
// never sees a raw exception.

export type ClientErrorKind = 'unreachable' | 'timeout' | 'http' | 'invalid-response';

export abstract class ClientError extends Error {
  abstract readonly kind: ClientErrorKind;
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Connection refused, DNS failure, reset before an answer. */
export class UnreachableError extends ClientError {
  override readonly name = 'UnreachableError';
  readonly kind = 'unreachable' as const;
  constructor(method: string, url: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`${method} ${url}: service unreachable (${reason})`, method, url, options);
  }
}

/** No answer within the configured timeout. */
export class TimeoutError extends ClientError {
  override readonly name = 'TimeoutError';
  readonly kind = 'timeout' as const;
  constructor(method: string, url: string, readonly timeoutMs: number) {
    super(`${method} ${url}: no answer within ${timeoutMs} ms`, method, url);
  }
}

/**
 * A non-2xx answer. `serverMessage` is the body's `message` when it had one; `location` a
 * redirect's target (a POST is never sent again to it: it could act twice).
 */
export class HttpError extends ClientError {
  override readonly name = 'HttpError';
  readonly kind = 'http' as const;
  constructor(
    method: string,
    url: string,
    readonly status: number,
    readonly bodyExcerpt: string,
    readonly serverMessage?: string,
    readonly location?: string,
  ) {
    const hint = location !== undefined ? `redirected to ${location}, not followed: set --api-url to the address that answers` : HTTP_HINTS[status];
    super(`${method} ${url}: HTTP ${status}${serverMessage ? ` — ${serverMessage}` : ''}${hint ? ` (${hint})` : ''}`, method, url);
  }
}

/** What the user can do about the statuses that mean "wrong set-up", not "broken code". */
const HTTP_HINTS: Record<number, string> = {
  401: 'give the token with --token, HOT_RELOAD_TOKEN or "token" in the config',
  403: 'give the token with --token, HOT_RELOAD_TOKEN or "token" in the config',
  404: 'check --api-url and the endpoint paths: "prefix" (default /api/v1/hot-reload) or "endpoints" in the config',
};

/** A 2xx answer that is not JSON, or JSON of the wrong shape. */
export class InvalidResponseError extends ClientError {
  override readonly name = 'InvalidResponseError';
  readonly kind = 'invalid-response' as const;
  constructor(
    method: string,
    url: string,
    readonly problem: string,
    readonly bodyExcerpt: string,
    readonly status = 200,
  ) {
    super(`${method} ${url}: invalid response (${problem})`, method, url);
  }
}

export const isClientError = (e: unknown): e is ClientError => e instanceof ClientError;
