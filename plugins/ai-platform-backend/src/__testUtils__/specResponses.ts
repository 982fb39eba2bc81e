import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type { Server } from 'node:http';
import type express from 'express';
import supertest from 'supertest';
import { spec } from '../schema/openapi/generated';

/**
 * Checks the answers of the API against openapi.yaml (its generated
 * constant): the status must be one the operation lists, and the body must
 * match that response's schema. Route tests send their requests through
 * {@link requestCheckedAgainstSpec}, so every answer they read is checked.
 */

const MOUNT = '/api/ai-platform';
type Doc = {
  paths: Record<string, Record<string, { responses?: Record<string, any> }>>;
};
const doc = JSON.parse(JSON.stringify(spec)) as Doc & Record<string, unknown>;

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

/** A JSON pointer into the spec, as a URI fragment Ajv resolves. */
const pointer = (segments: string[]) =>
  `spec#/${segments
    .map(s => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1')))
    .join('/')}`;

function validatorAt(segments: string[]): ValidateFunction {
  const key = pointer(segments);
  let validate = validators.get(key);
  if (!validate) {
    if (!ajv) {
      // OpenAPI 3.1 schemas are JSON Schema 2020-12; `example` and the
      // spec's other keywords are not validation keywords.
      ajv = new Ajv2020({ strict: false, allErrors: true });
      ajv.addFormat('date-time', {
        validate: (v: string) =>
          /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(
            v,
          ),
      });
      ajv.addSchema(doc, 'spec');
    }
    validate = ajv.getSchema(key);
    if (!validate) throw new Error(`No schema at ${key}`);
    validators.set(key, validate);
  }
  return validate;
}

/** The spec's operation a request calls: its path template, or undefined. */
export function operationOf(method: string, path: string) {
  const m = method.toLowerCase();
  return Object.keys(doc.paths).find(template => {
    const pattern = new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map(part => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}$`,
    );
    return pattern.test(path) && doc.paths[template][m];
  });
}

/**
 * What is wrong with one answer, by the spec (nothing: an empty list).
 * `path` is relative to the plugin, e.g. `/quotas/check`.
 */
export function responseProblems(answer: {
  method: string;
  path: string;
  status: number;
  contentType?: string;
  body: unknown;
}): string[] {
  const { method, path, status } = answer;
  const name = `${method.toUpperCase()} ${path}`;
  const template = operationOf(method, path);
  if (!template) return [`${name} is not an operation of the spec`];
  const segments = ['paths', template, method.toLowerCase(), 'responses'];
  const responses = doc.paths[template][method.toLowerCase()].responses ?? {};
  const code = String(status) in responses ? String(status) : 'default';
  let response = responses[code];
  if (!response) {
    return [`${name} answered ${status}, which the spec does not list`];
  }
  let at = [...segments, code];
  if (typeof response.$ref === 'string') {
    at = response.$ref.replace(/^#\//, '').split('/');
    response = at.reduce<any>((node, key) => node?.[key], doc);
  }
  const content: Record<string, unknown> = response?.content ?? {};
  const mediaTypes = Object.keys(content);
  if (mediaTypes.length === 0) return [];
  const mediaType = mediaTypes.find(t =>
    (answer.contentType ?? '').startsWith(t.split(';')[0]),
  );
  if (!mediaType) {
    return [
      `${name} answered ${status} as ${
        answer.contentType ?? 'nothing'
      }; the spec says ${mediaTypes.join(' or ')}`,
    ];
  }
  const validate = validatorAt([...at, 'content', mediaType, 'schema']);
  if (validate(answer.body)) return [];
  return (validate.errors ?? []).map(
    e => `${name} ${status}: body${e.instancePath} ${e.message}`,
  );
}

/** Fails (throws) when a supertest answer does not match the spec. */
export function expectResponseMatchesSpec(res: supertest.Response): void {
  const req = (res as unknown as { req: { method: string; path: string } }).req;
  const url = new URL(req.path, 'http://localhost');
  const problems = responseProblems({
    method: req.method,
    path: url.pathname.startsWith(MOUNT)
      ? url.pathname.slice(MOUNT.length)
      : url.pathname,
    status: res.status,
    contentType: res.headers['content-type'],
    body: res.headers['content-type']?.startsWith('application/json')
      ? res.body
      : res.text,
  });
  if (problems.length) {
    throw new Error(
      `The answer does not match openapi.yaml:\n${problems.join('\n')}`,
    );
  }
}

type Method = 'get' | 'post' | 'put' | 'delete';

/**
 * supertest's `request(app)`, whose every answer is checked against the
 * spec ({@link expectResponseMatchesSpec}) before the test reads it.
 */
export function requestCheckedAgainstSpec(
  app: Server | express.Express | string,
): Record<Method, (url: string) => supertest.Test> {
  const agent = supertest(app as Server);
  const checked =
    (method: Method) =>
    (url: string): supertest.Test =>
      agent[method](url).expect(expectResponseMatchesSpec);
  return {
    get: checked('get'),
    post: checked('post'),
    put: checked('put'),
    delete: checked('delete'),
  };
}
