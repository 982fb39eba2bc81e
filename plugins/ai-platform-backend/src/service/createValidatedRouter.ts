import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import { InputError, isError } from '@backstage/errors';
import express from 'express';
import { type EndpointMap, spec } from '../schema/openapi/generated';
import type { Mutations } from './mutation';
import { requestValidationMessage } from './requestValidationMessage';

type Operation = { 'x-audit-action'?: string };
type Doc = { paths: Record<string, Record<string, Operation | unknown>> };

type Parameter = { in?: string; allowReserved?: boolean };

/**
 * Query parameters accept reserved characters unencoded (`allowReserved`),
 * as Backstage's own specs declare theirs: the values are entity refs
 * (`model:default/x`) and ISO times (`2026-11-02T01:00:00+01:00`) that
 * curl, scripts and other backends send as they are.
 */
function withReservedQueryCharacters<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(withReservedQueryCharacters) as T;
  }
  if (!value || typeof value !== 'object') return value;
  const copy = Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, withReservedQueryCharacters(v)]),
  );
  return (
    (copy as Parameter).in === 'query' ? { ...copy, allowReserved: true } : copy
  ) as T;
}

/**
 * The spec as the router serves it: its paths are relative to the plugin's
 * mount point (the spec's `servers` names `/api/ai-platform`, where the
 * backend mounts the router).
 */
const servedSpec = withReservedQueryCharacters({
  ...spec,
  servers: [{ url: '/' }],
});

/**
 * Finds the audit action (`x-audit-action`) of the spec operation a request
 * calls, for any operation of the spec, including those added later.
 */
export function auditActionFinder(
  doc: Doc,
): (method: string, path: string) => string | undefined {
  const operations = Object.entries(doc.paths).flatMap(([template, item]) => {
    const pattern = new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map(part => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}/?$`,
    );
    return Object.entries(item).flatMap(([method, operation]) => {
      const action = (operation as Operation | undefined)?.['x-audit-action'];
      return action ? [{ method: method.toUpperCase(), pattern, action }] : [];
    });
  });
  return (method, path) =>
    operations.find(o => o.method === method && o.pattern.test(path))?.action;
}

/**
 * A call without a body and without a Content-Type (`curl -X POST
 * .../rollback`) is a call with no JSON body: the validator would otherwise
 * refuse its missing media type even where the spec makes the body optional.
 */
const bodilessAsJson: express.RequestHandler = (req, _res, next) => {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody && !req.headers['content-type']) {
    req.headers['content-type'] = 'application/json';
  }
  next();
};

/**
 * The router of the ai-platform API: requests are parsed (JSON) and
 * validated against the spec (src/schema/openapi.yaml, through
 * @backstage/backend-openapi-utils) before any route runs, so a route
 * added to the spec is validated without further work.
 *
 * A refused request answers 400 with a message naming each field (see
 * {@link requestValidationMessage}). On a mutating operation (one with
 * `x-audit-action`) the refusal leaves exactly one audit record under that
 * action, as a refusal of the route's own `parse` does (`mutation.ts`):
 * the route's handler never runs for it.
 *
 * Credentials are Backstage's business (its auth policy answers 401 before
 * this router runs), so the spec's security schemes are not checked here.
 */
export function createValidatedRouter(options: { mutations: Mutations }) {
  const router =
    createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>(
      servedSpec,
      {
        middleware: [bodilessAsJson, express.json({ limit: '10mb' })],
        validatorOptions: {
          // backend-openapi-utils' defaults, and every problem, not the first.
          validateRequests: {
            coerceTypes: false,
            allowUnknownQueryParameters: false,
            allErrors: true,
          },
          validateSecurity: false,
        },
      },
    );
  const auditActionOf = auditActionFinder(servedSpec);

  // Registered before every route, so it sees only the errors of the JSON
  // parser and the validator: the refusals no route has seen.
  router.use(
    (
      error: unknown,
      req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      // The validator's refusals arrive as an InputError (of the copy of
      // @backstage/errors that backend-openapi-utils uses) carrying its text.
      const refusal =
        isError(error) && error.name === 'InputError'
          ? new InputError(requestValidationMessage(error.message))
          : error;
      const action = auditActionOf(req.method, req.path);
      if (!action) {
        next(refusal);
        return;
      }
      options.mutations
        .recordRefusal(req, action, refusal)
        .then(() => next(refusal), next);
    },
  );
  return router;
}
