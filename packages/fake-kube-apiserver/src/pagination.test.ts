import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from './FakeKubeApiServer';
import { clientsFor, loadClientNode, statusOf } from './__testUtils__/clients';
import type { KubeObject } from './types';

beforeAll(() => {
  loadClientNode();
}, 60_000);

const pod = (namespace: string, name: string, app = 'chat'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app } },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
});

describe('paginated LIST (limit and continue)', () => {
  let server: FakeKubeApiServer;
  beforeEach(async () => {
    server = await startFakeKubeApiServer({
      controllers: false,
      seed: [
        pod('b', 'p1'),
        pod('a', 'p2'),
        pod('a', 'p1', 'embed'),
        pod('c', 'p1'),
        pod('b', 'p0'),
      ],
    });
  });
  afterEach(() => server.close());

  const get = async (query: string) => {
    const res = await fetch(`${server.url}/api/v1/pods?${query}`);
    return { status: res.status, body: await res.json() };
  };
  const names = (body: { items: KubeObject[] }) =>
    body.items.map(i => `${i.metadata.namespace}/${i.metadata.name}`);

  it('pages in key order with a continue token and the remaining count, as the real server', async () => {
    const first = await get('limit=2');
    expect(names(first.body)).toEqual(['a/p1', 'a/p2']);
    expect(first.body.metadata.remainingItemCount).toBe(3);
    const token = JSON.parse(
      Buffer.from(first.body.metadata.continue, 'base64').toString(),
    );
    expect(token).toEqual({
      v: 'meta.k8s.io/v1',
      rv: Number(first.body.metadata.resourceVersion),
      start: 'a/p2\u0000',
    });
    const second = await get(
      `limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(names(second.body)).toEqual(['b/p0', 'b/p1']);
    const third = await get(
      `limit=2&continue=${encodeURIComponent(second.body.metadata.continue)}`,
    );
    expect(names(third.body)).toEqual(['c/p1']);
    expect(third.body.metadata.continue).toBeUndefined();
    expect(third.body.metadata.remainingItemCount).toBeUndefined();
  });

  it('serves later pages from the first page’s snapshot while objects change', async () => {
    const first = await get('limit=2');
    server.seed([pod('a', 'p3'), pod('b', 'p00')]);
    await fetch(`${server.url}/api/v1/namespaces/b/pods/p0`, {
      method: 'DELETE',
    });
    const rest = await get(
      `limit=10&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    // Consistent with the first page: neither the new pods nor the deletion.
    expect(names(rest.body)).toEqual(['b/p0', 'b/p1', 'c/p1']);
    expect(rest.body.metadata.resourceVersion).toBe(
      first.body.metadata.resourceVersion,
    );
  });

  it('answers 410 Expired once the snapshot is compacted and objects changed, and 400 for a bad token', async () => {
    const first = await get('limit=2');
    server.compactListSnapshots();
    // Nothing changed: the current objects are that revision's.
    const same = await get(
      `limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(names(same.body)).toEqual(['b/p0', 'b/p1']);
    server.compactListSnapshots();
    server.seed([pod('d', 'p1')]);
    const gone = await get(
      `limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ reason: 'Expired', code: 410 });
    expect(gone.body.message).toMatch(
      /^The provided continue parameter is too old/,
    );
    expect((await get('limit=2&continue=bm9wZQ==')).status).toBe(400);
    expect((await get('limit=-1')).status).toBe(400);
  });

  it('leaves out remainingItemCount under a selector, and works through client-node', async () => {
    const first = await get('limit=1&labelSelector=app%3Dchat');
    expect(names(first.body)).toEqual(['a/p2']);
    expect(first.body.metadata.continue).toBeDefined();
    expect(first.body.metadata.remainingItemCount).toBeUndefined();

    const { core } = clientsFor(server);
    const all: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const list = await core.listPodForAllNamespaces({
        limit: 2,
        _continue: next,
        labelSelector: 'app=chat',
      });
      all.push(...list.items.map(p => p.metadata!.name!));
      next = list.metadata?._continue;
      pages++;
    } while (next);
    expect(all).toEqual(['p2', 'p0', 'p1', 'p1']);
    expect(pages).toBe(2);
    const bad = await core
      .listPodForAllNamespaces({ limit: 1, _continue: 'bm9wZQ==' })
      .catch(e => e);
    expect(statusOf(bad).message).toMatch(/continue key is not valid/);
  });
});
