// Run-time stack traces (a route that throws, Express's error page, console.error(err))
// point at the user's lines instead of esbuild's output. Process-wide, so only `serve`
// installs it; library users may call it themselves.
import { mappedByHook, mapStack } from './errors.js';
import { latestSourceMap } from './transform.js';

let installed = false;

export function installStackMapping(): void {
  if (installed) return;
  installed = true;
  const previous = Error.prepareStackTrace;
  let busy = false;
  Error.prepareStackTrace = (err, frames) => {
    const text = previous ? String(previous(err, frames)) : format(err, frames);
    if (busy) return text; // an error while mapping must not recurse
    busy = true;
    try {
      const mapped = mapStack(text, latestSourceMap).stack;
      if (err && typeof err === 'object') mappedByHook.add(err);
      return mapped;
    } catch {
      return text;
    } finally {
      busy = false;
    }
  };
}

function format(err: Error, frames: NodeJS.CallSite[]): string {
  let head: string;
  try {
    head = String(err);
  } catch {
    head = 'Error';
  }
  return head + frames.map((f) => `\n    at ${f.toString()}`).join('');
}
