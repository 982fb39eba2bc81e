import { recordUpdate } from './fieldManager';
import type { ObjectStore, StoreEvent } from './ObjectStore';
import { groupVersionOf, type ResourceType } from './resources';
import type { KubeObject } from './types';

/**
 * What every simulated controller shares: it subscribes to the store's
 * changes on `start()`, runs work later on timers that `stop()` cancels
 * (nothing runs after `stop()`), and writes objects as a controller does:
 * with its field manager recorded in managedFields, and unchanged writes
 * still bumping nothing but what the store bumps.
 */
export abstract class ControllerBase {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly keyed = new Map<string, NodeJS.Timeout>();
  private unsubscribe?: () => void;
  protected stopped = false;

  constructor(
    protected readonly store: ObjectStore,
    /** The field manager the controller writes as, unless a write names another. */
    protected readonly manager: string,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe(event => this.onEvent(event));
    this.onStart();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    for (const t of this.keyed.values()) clearTimeout(t);
    this.timers.clear();
    this.keyed.clear();
  }

  /** Called once subscribed: pick up objects that exist already. */
  protected onStart(): void {}

  protected abstract onEvent(event: StoreEvent): void;

  /** Runs `fn` after `ms`, unless the controller stopped. */
  protected later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  /** As `later`, with at most one pending run per key (a work queue's dedup). */
  protected laterOnce(key: string, ms: number, fn: () => void): void {
    if (this.stopped || this.keyed.has(key)) return;
    const timer = setTimeout(() => {
      this.keyed.delete(key);
      if (!this.stopped) fn();
    }, ms);
    this.keyed.set(key, timer);
  }

  /** Writes as a controller would: ownership recorded for the manager. */
  protected write(
    type: ResourceType,
    object: KubeObject,
    subresource?: string,
    manager: string = this.manager,
  ): KubeObject {
    return writeAs(this.store, type, object, manager, subresource);
  }
}

/** Stores `object` as field manager `manager` (of `subresource`, if any), recording its managedFields. */
export function writeAs(
  store: ObjectStore,
  type: ResourceType,
  object: KubeObject,
  manager: string,
  subresource?: string,
): KubeObject {
  const { namespace, name } = object.metadata;
  const before = store.get(type, namespace, name!);
  const entries = recordUpdate({
    before,
    after: object,
    entries: before ? store.entries(type, namespace, name!) : [],
    manager,
    subresource,
    apiVersion: groupVersionOf(type),
  });
  return store.write({ type, object, entries }).object;
}
