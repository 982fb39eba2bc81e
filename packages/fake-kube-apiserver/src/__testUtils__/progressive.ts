import http from 'http';
import type { AddressInfo } from 'net';
import type { FakeKubeApiServer } from '../FakeKubeApiServer';
import { RESOURCE_TYPES } from '../resources';
import type { KubeObject } from '../types';

/** A raw request to the fake, answering status code and JSON body. @internal */
export async function call(
  server: FakeKubeApiServer,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ code: number; body: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { code: response.status, body: await response.json() };
}

/** A server-side apply as `manager`. @internal */
export async function apply(server: FakeKubeApiServer, object: KubeObject) {
  const plural = RESOURCE_TYPES.find(t => t.kind === object.kind)!.plural;
  const group = object.apiVersion.includes('/')
    ? `/apis/${object.apiVersion}`
    : `/api/${object.apiVersion}`;
  const ns = object.metadata.namespace
    ? `/namespaces/${object.metadata.namespace}`
    : '';
  const result = await call(
    server,
    'PATCH',
    `${group}${ns}/${plural}/${object.metadata.name}?fieldManager=test&force=true`,
    object,
    'application/apply-patch+yaml',
  );
  if (result.code >= 300) {
    throw new Error(`apply ${object.kind}: ${JSON.stringify(result.body)}`);
  }
  return result.body as KubeObject;
}

/**
 * A loopback Prometheus answering every instant query with one vector
 * sample of `value()` (or a 500 when `value()` is an Error), recording the
 * queries. @internal
 */
export async function startPrometheus(value: () => number | Error) {
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    queries.push(url.searchParams.get('query') ?? '');
    const v = value();
    res.setHeader('Content-Type', 'application/json');
    if (v instanceof Error) {
      res.statusCode = 500;
      res.end(JSON.stringify({ status: 'error', error: v.message }));
      return;
    }
    res.end(
      JSON.stringify({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: {}, value: [Date.now() / 1000, String(v)] }],
        },
      }),
    );
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>(r => server.close(() => r())),
  };
}
