// Versions: what serves requests now, and the few earlier ones kept for instant rollback.
// Activation is one assignment; a request holds on to the version it started with.
import type { RequestListener } from 'node:http';
import type { AppHandles } from '../serve/adopt.js';
import type { Checks } from './checks.js';
import type { HealthMode } from '../http/health.js';
import type { ModuleMap } from '../loading/module-graph.js';

export interface Version {
  readonly id: number;
  readonly modules: ModuleMap;
  readonly listener: RequestListener;
  readonly checks: Checks;
  /** who answers /health (the entry's `handlesHealth`) */
  readonly health: HealthMode;
  readonly activatedAt: string;
  /** what this version's code registered: its servers' handlers, its signal handlers (serve) */
  readonly handles?: AppHandles;
}

export class VersionRing {
  private kept: Version[] = [];
  private lastId = 0;
  active: Version | undefined;

  constructor(private readonly keep: number) {}

  get ids(): number[] {
    return this.kept.map((v) => v.id);
  }

  nextId(): number {
    return this.lastId + 1;
  }

  activate(v: Omit<Version, 'id' | 'activatedAt'>): Version {
    const version: Version = { ...v, id: ++this.lastId, activatedAt: new Date().toISOString() };
    this.active = version; // the swap
    this.kept.push(version);
    // dropped versions become garbage once their last request finishes
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
    return version;
  }

  /** Puts a kept version's re-established instances in its place (same id). */
  replace(old: Version, fields: Omit<Version, 'id' | 'activatedAt'>): Version {
    const i = this.kept.indexOf(old);
    if (i === -1) throw new Error(`version ${old.id} is not kept`);
    const version: Version = { ...old, ...fields };
    this.kept[i] = version;
    if (this.active === old) this.active = version;
    return version;
  }

  /** The version a rollback would return to, if any. */
  get previous(): Version | undefined {
    return this.kept.length >= 2 ? this.kept[this.kept.length - 2] : undefined;
  }

  /** Drops the active version and serves the previous one again. */
  rollback(): { from: Version; to: Version } | undefined {
    const from = this.active;
    const to = this.previous;
    if (!from || !to) return undefined;
    this.active = to;
    this.kept.pop();
    return { from, to };
  }
}
