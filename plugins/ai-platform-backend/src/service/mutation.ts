import type {
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type express from 'express';
import type { AuditLog, TrackedAction } from '../audit/AuditLog';

/** What the audit record of a call says about it. */
export type MutationDescription = {
  /** Refines the route's action once the input is known, e.g. `quota.request.approve`. */
  action?: string;
  /** The entity ref acted upon. */
  target?: string;
  /** A summary of the request (secrets are removed before storing). */
  request: JsonObject;
  severityLevel?: AuditorServiceEventSeverityLevel;
};

/**
 * One mutating route. The helper runs its steps in this order, and every
 * step that refuses the call (throws) leaves exactly one audit record:
 *
 * 1. `parse` the path, query and body (400);
 * 2. `describe` the call for the record;
 * 3. `authorize` it (403);
 * 4. `load` what the call needs and does not own (404, 409);
 * 5. `run` it: success and failure (400, 404, 409, ...) are recorded.
 *
 * A refusal before `describe` has run is recorded under the route's own
 * `action`, with the method and path as its request.
 */
export type MutationSpec<I, L, T> = {
  /** The audit action, e.g. `quota.update` (also the auditor event id). */
  action: string;
  parse(req: express.Request): I;
  /** Called with the input, and again with what `load` found. */
  describe(input: I, loaded?: L): MutationDescription;
  authorize?(input: I, credentials: BackstageCredentials): Promise<void>;
  load?(input: I, credentials: BackstageCredentials): Promise<L>;
  run(
    input: I,
    context: { credentials: BackstageCredentials; loaded: L },
  ): Promise<T>;
  /** Facts known only afterwards (e.g. the old and new quota), added to the success record. */
  facts?(result: T): JsonObject;
};

/**
 * A mutating route whose outcome the service it calls records itself
 * (deploy, promote and rollback: `DeploymentService` records every refusal
 * from finding the endpoint onwards, and the outcome). The helper records
 * only a call that fails to parse, so that no call gets two records.
 */
export type ServiceAuditedMutationSpec<I, T> = {
  action: string;
  parse(req: express.Request): I;
  run(input: I, credentials: BackstageCredentials): Promise<T>;
};

/** Runs mutating routes; see {@link MutationSpec}. */
export type Mutations = {
  run<I, L = undefined, T = unknown>(
    req: express.Request,
    spec: MutationSpec<I, L, T>,
  ): Promise<T>;
  runAuditedByService<I, T>(
    req: express.Request,
    spec: ServiceAuditedMutationSpec<I, T>,
  ): Promise<T>;
  /**
   * Records a call of a mutating route refused before its handler ran (the
   * spec's request validation), under the route's action, with the method
   * and path as its request: the same record as a refused `parse`.
   */
  recordRefusal(
    req: express.Request,
    action: string,
    error: unknown,
  ): Promise<void>;
};

/**
 * The one path of every mutating route: parse, permission, run, and one
 * chained audit record for the success and for every refusal (bad input,
 * not allowed, not found, conflict), naming the caller and the reason.
 *
 * A call without valid credentials (401) is refused by the backend's auth
 * layer before any route runs: there is no caller to record.
 */
export function createMutations(options: {
  httpAuth: HttpAuthService;
  auditLog: AuditLog;
}): Mutations {
  const { httpAuth, auditLog } = options;

  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  const refusedBeforeParsing = (
    req: express.Request,
    action: string,
    credentials: BackstageCredentials,
  ): TrackedAction => ({
    action,
    credentials,
    request: { method: req.method, path: req.path },
    httpRequest: req,
  });

  const tracked = (
    base: TrackedAction,
    description: MutationDescription,
  ): TrackedAction => ({
    ...base,
    action: description.action ?? base.action,
    target: description.target,
    request: description.request,
    severityLevel: description.severityLevel,
  });

  return {
    async run<I, L, T>(req: express.Request, spec: MutationSpec<I, L, T>) {
      const credentials = await credentialsOf(req);
      let action = refusedBeforeParsing(req, spec.action, credentials);
      let input: I;
      let loaded: L;
      try {
        input = spec.parse(req);
        action = tracked(action, spec.describe(input));
        await spec.authorize?.(input, credentials);
        loaded = (await spec.load?.(input, credentials)) as L;
        if (spec.load) {
          action = tracked(action, spec.describe(input, loaded));
        }
      } catch (error) {
        await auditLog.recordFailure(action, error);
        throw error;
      }
      return auditLog.track(
        action,
        () => spec.run(input, { credentials, loaded }),
        spec.facts,
      );
    },

    async runAuditedByService<I, T>(
      req: express.Request,
      spec: ServiceAuditedMutationSpec<I, T>,
    ) {
      const credentials = await credentialsOf(req);
      let input: I;
      try {
        input = spec.parse(req);
      } catch (error) {
        await auditLog.recordFailure(
          refusedBeforeParsing(req, spec.action, credentials),
          error,
        );
        throw error;
      }
      return spec.run(input, credentials);
    },

    async recordRefusal(req, action, error) {
      const credentials = await credentialsOf(req);
      await auditLog.recordFailure(
        refusedBeforeParsing(req, action, credentials),
        error,
      );
    },
  };
}
