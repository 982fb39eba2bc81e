import { badRequest, KubeStatusError } from './status';
import type { KubeObject } from './types';

/**
 * How long a paginated list's first page keeps its snapshot: the real
 * server answers later pages from etcd at the first page's revision until
 * etcd compacts it (every 5 minutes by default, `--etcd-compaction-interval`).
 */
const SNAPSHOT_TTL_MS = 5 * 60_000;
/** Snapshots kept at most; the oldest goes first (as if compacted). */
const MAX_SNAPSHOTS = 64;

/** The real server's continue token: base64 JSON of its version, revision and start key. */
type ContinueToken = { v: string; rv: number; start: string };

/** The real server's answer to a continue token whose revision was compacted. */
function expired() {
  return new KubeStatusError({
    code: 410,
    reason: 'Expired',
    message:
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  });
}

/** The key of an object under its type's prefix, as etcd orders it: `<namespace>/<name>` or `<name>`. */
const keyOf = (o: KubeObject) =>
  o.metadata.namespace
    ? `${o.metadata.namespace}/${o.metadata.name}`
    : `${o.metadata.name}`;

function decode(text: string): ContinueToken {
  try {
    const token = JSON.parse(
      Buffer.from(text, 'base64').toString('utf8'),
    ) as ContinueToken;
    if (
      token.v !== 'meta.k8s.io/v1' ||
      typeof token.rv !== 'number' ||
      typeof token.start !== 'string'
    ) {
      throw new Error('unknown version');
    }
    return token;
  } catch {
    throw badRequest(
      'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    );
  }
}

const encode = (token: ContinueToken) =>
  Buffer.from(JSON.stringify(token)).toString('base64');

/** One page of a list and what the list's metadata says about the rest. */
export type ListPage = {
  items: KubeObject[];
  resourceVersion: number;
  continue?: string;
  remainingItemCount?: number;
};

/**
 * `limit` and `continue` as the real server serves them: pages in key order
 * (namespace, then name), a continue token that names the revision and the
 * key to start after, later pages read from the first page's snapshot (a
 * consistent list even while objects change), `410 Expired` once that
 * snapshot is gone (5 minutes, as etcd compacts), and `remainingItemCount`
 * when the list has no selector.
 */
export class ListPaginator {
  private readonly snapshots = new Map<
    string,
    { at: number; items: readonly KubeObject[] }
  >();

  page(options: {
    /** Identifies the list: type, namespace and selectors. */
    listKey: string;
    /** The current revision and the matching objects now, in key order. */
    current: () => { resourceVersion: number; items: readonly KubeObject[] };
    limit?: string;
    continueToken?: string;
    hasSelector: boolean;
  }): ListPage {
    const limit = options.limit ? Number(options.limit) : 0;
    if (!Number.isInteger(limit) || limit < 0) {
      throw badRequest(`limit: Invalid value: ${options.limit}`);
    }
    let items: readonly KubeObject[];
    let rv: number;
    let start = '';
    if (options.continueToken) {
      const token = decode(options.continueToken);
      start = token.start;
      rv = token.rv;
      const snapshot = this.snapshots.get(`${rv}|${options.listKey}`);
      if (snapshot && Date.now() - snapshot.at <= SNAPSHOT_TTL_MS) {
        items = snapshot.items;
      } else {
        const now = options.current();
        // Nothing changed since: the current objects are that revision's.
        if (now.resourceVersion !== rv) throw expired();
        items = now.items;
      }
    } else {
      const now = options.current();
      rv = now.resourceVersion;
      items = now.items;
    }
    const from = start ? items.findIndex(o => keyOf(o) >= start) : 0;
    const rest = from < 0 ? [] : items.slice(from);
    if (limit === 0 || rest.length <= limit) {
      return { items: rest, resourceVersion: rv };
    }
    const page = rest.slice(0, limit);
    if (!options.continueToken) this.keep(`${rv}|${options.listKey}`, items);
    return {
      items: page,
      resourceVersion: rv,
      continue: encode({
        v: 'meta.k8s.io/v1',
        rv,
        start: `${keyOf(page[page.length - 1])}\u0000`,
      }),
      ...(options.hasSelector
        ? {}
        : { remainingItemCount: rest.length - limit }),
    };
  }

  private keep(key: string, items: readonly KubeObject[]) {
    const now = Date.now();
    for (const [k, s] of this.snapshots) {
      if (now - s.at > SNAPSHOT_TTL_MS) this.snapshots.delete(k);
    }
    while (this.snapshots.size >= MAX_SNAPSHOTS) {
      this.snapshots.delete(this.snapshots.keys().next().value!);
    }
    this.snapshots.set(key, { at: now, items });
  }

  /** Forgets every snapshot, as an etcd compaction does: older continue tokens get 410. */
  compact() {
    this.snapshots.clear();
  }
}
