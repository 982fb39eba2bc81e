import fs from 'fs';
import path from 'path';
import type { ObjectStore, StoreSnapshot } from './ObjectStore';
import { RESOURCE_TYPES } from './resources';

/** The `format` of a state file; another value is refused. */
export const STATE_FILE_FORMAT = 'fake-kube-apiserver-state/v1';

/** A state file as written: the store's snapshot and when it was saved. */
export type StateFile = StoreSnapshot & {
  format: typeof STATE_FILE_FORMAT;
  savedAt: string;
};

/**
 * How long Events are kept across a restart, as the real API server's
 * `--event-ttl` (1 hour) keeps them.
 */
const EVENT_TTL_MS = 60 * 60 * 1000;

function eventTime(object: Record<string, unknown>): number {
  const at =
    (object.lastTimestamp as string | undefined) ??
    (object.eventTime as string | undefined) ??
    (object.firstTimestamp as string | undefined) ??
    ((object.metadata as { creationTimestamp?: string } | undefined)
      ?.creationTimestamp as string | undefined);
  const ms = at ? Date.parse(at) : NaN;
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Reads a state file. Undefined when the file does not exist; an error that
 * names the file when it cannot be read as one. Events older than an hour
 * are dropped, as a real cluster forgets them.
 */
export function readStateFile(
  file: string,
  now: number = Date.now(),
): StoreSnapshot | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: Partial<StateFile>;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(
      `The fake Kubernetes API server's state file ${file} is not JSON (${
        (error as Error).message
      }); delete it to start with an empty cluster`,
    );
  }
  if (parsed.format !== STATE_FILE_FORMAT || !Array.isArray(parsed.objects)) {
    throw new Error(
      `The fake Kubernetes API server's state file ${file} is not a ${STATE_FILE_FORMAT} state file; delete it to start with an empty cluster`,
    );
  }
  return {
    resourceVersion: Number(parsed.resourceVersion) || 1,
    objects: parsed.objects.filter(
      item =>
        !(item.group === '' && item.resource === 'events') ||
        now - eventTime(item.object) < EVENT_TTL_MS,
    ),
  };
}

/** Writes a state file atomically (a temporary file renamed over it). */
export function writeStateFile(file: string, snapshot: StoreSnapshot): void {
  const state: StateFile = {
    format: STATE_FILE_FORMAT,
    savedAt: new Date().toISOString(),
    ...snapshot,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(state)}\n`);
  fs.renameSync(temporary, file);
}

/** Loads a state file into the store; false when there is none. */
export function loadState(store: ObjectStore, file: string): boolean {
  const snapshot = readStateFile(file);
  if (!snapshot) return false;
  store.restore(snapshot, (group, version, resource) =>
    RESOURCE_TYPES.find(
      t => t.group === group && t.version === version && t.plural === resource,
    ),
  );
  return true;
}

/**
 * Saves the store to a file after every change, debounced: one write
 * `delayMs` after the first change of a burst (a rollout writes dozens of
 * objects in a few milliseconds). `flush()` writes a pending change now.
 */
export class StateSaver {
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  private dirty = false;

  constructor(
    private readonly options: {
      store: ObjectStore;
      file: string;
      delayMs: number;
      onError?: (error: unknown) => void;
    },
  ) {}

  start(): void {
    this.unsubscribe = this.options.store.subscribe(() => this.changed());
  }

  private changed() {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.delayMs);
    this.timer.unref?.();
  }

  /** Writes the state now if anything changed since the last write (or always, with `force`). */
  flush(force = false): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty && !force) return;
    this.dirty = false;
    try {
      writeStateFile(this.options.file, this.options.store.snapshot());
    } catch (error) {
      if (this.options.onError) this.options.onError(error);
      else throw error;
    }
  }

  /** Writes what is pending and stops listening. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.flush();
  }
}
