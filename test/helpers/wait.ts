// A bounded wait for real-time tests: a missing event fails the test instead of hanging it.
// `what` may be a function: the state it describes is read when the wait fails.
export async function until(pred: () => boolean, what: string | (() => string), timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
