// Library entry: `import { createAgent } from 'auto-hot-reload/agent'`.
import type { RequestListener } from 'node:http';
import type { ReloadRequest, ReloadResult, Status, VerifyResponse } from '../protocol/wire.js';
import { HotReloadAgent, type RollbackOutcome } from './agent.js';
import { createHttpHandler } from './http/http.js';
import { normalizeOptions, type AgentOptions } from './options.js';

export { AgentStartError, type RollbackOutcome } from './agent.js';
export { AgentOptionsError, type AgentOptions } from './options.js';
export { installStackMapping } from './loading/stack-traces.js';

export interface Agent {
  /** answers the hot-reload API and /health, hands every other request to the active version */
  readonly handler: RequestListener;
  readonly bootId: string;
  /** the active version number */
  readonly version: number;
  reload(request?: ReloadRequest): Promise<ReloadResult>;
  rollback(fromVersion?: number): Promise<RollbackOutcome>;
  verify(): Promise<VerifyResponse>;
  status(): Status;
  /** stops the agent's file watching (prewarm); safe to call twice */
  close(): void;
  /** the local module files the active version has loaded (absolute paths) */
  loadedFiles(): string[];
}

/**
 * Loads `entry` (its default export must be a request listener) and returns an agent.
 * Throws AgentOptionsError for bad options and AgentStartError when the first load fails.
 */
export async function createAgent(options: AgentOptions): Promise<Agent> {
  const core = new HotReloadAgent(normalizeOptions(options));
  await core.start();
  return wrap(core);
}

/** The agent `serve` runs: the core itself, with the adopted servers and signal handlers. */
export async function startCore(options: AgentOptions): Promise<HotReloadAgent> {
  const core = new HotReloadAgent(normalizeOptions(options));
  await core.start();
  return core;
}

export function wrap(core: HotReloadAgent): Agent {
  const handler = createHttpHandler(core);
  return {
    handler,
    bootId: core.bootId,
    get version() {
      return core.active.id;
    },
    reload: (request) => core.reload(request),
    rollback: (fromVersion) => core.rollback(fromVersion),
    verify: () => core.verify(),
    status: () => core.status(),
    close: () => core.close(),
    loadedFiles: () => core.loadedFiles(),
  };
}
