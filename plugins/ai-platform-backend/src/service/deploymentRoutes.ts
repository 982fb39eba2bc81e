import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  isFinalDeploymentState,
  isGpuPoolEntity,
  isModelEntity,
  sizeModelForPool,
} from '@internal/plugin-ai-platform-common';
import type express from 'express';
import { z } from 'zod';
import type {
  DeploymentService,
  StartedDeployment,
} from '../deploy/DeploymentService';
import { validateCanarySteps } from '../deploy/canary/validateCanarySteps';
import type { RouteContext } from './routeContext';
import { entityRef, nonEmpty, parseInput, reasonSchema } from './validate';

const callOptions = {
  dryRun: z.boolean().optional(),
  reason: reasonSchema.optional(),
  overrideGates: z.boolean().optional(),
  allowDeprecated: z.boolean().optional(),
  adopt: z.boolean().optional(),
  allowDowntime: z
    .boolean()
    .describe(
      'Roll out without surge (old pods go first) when there is no room for it',
    )
    .optional(),
  idempotencyKey: nonEmpty
    .describe(
      'A key of the call: repeated with it, the call answers the first record',
    )
    .optional(),
  wait: z.boolean().optional(),
};

/** Each override is kept with its reason in the audit record. */
function needsReason<
  T extends {
    reason?: string;
    overrideGates?: boolean;
    allowDeprecated?: boolean;
    adopt?: boolean;
  },
>(schema: z.ZodType<T>) {
  return schema
    .refine(b => !b.overrideGates || b.reason, {
      message: 'overrideGates needs a reason',
      path: ['reason'],
    })
    .refine(b => !b.allowDeprecated || b.reason, {
      message: 'allowDeprecated needs a reason',
      path: ['reason'],
    })
    .refine(b => !b.adopt || b.reason, {
      message: 'adopt needs a reason',
      path: ['reason'],
    });
}

const endpointInput = z.union([
  nonEmpty.describe('InferenceEndpoint entity ref'),
  z
    .record(z.string(), z.unknown())
    .describe('An InferenceEndpoint entity not in the catalog yet'),
]);

const deploySchema = needsReason(
  z.object({ endpoint: endpointInput, ...callOptions }),
);

const promoteSchema = needsReason(
  z.object({
    modelVersion: nonEmpty,
    strategy: z
      .enum(['rolling', 'canary'])
      .describe('rolling (default) or canary (docs/canary.md)')
      .optional(),
    canary: z
      .object({ steps: z.array(z.unknown()).optional() })
      .strict()
      .describe('With strategy canary: the steps')
      .optional(),
    ...callOptions,
  }),
).refine(b => !b.canary || b.strategy === 'canary', {
  message: 'canary is only for strategy canary',
  path: ['canary'],
});

/** A promote's body, with the canary's steps checked (400 naming the field). */
function parsePromote(body: unknown) {
  const { canary, ...rest } = parseInput(promoteSchema, body, 'body');
  return {
    ...rest,
    ...(rest.strategy === 'canary'
      ? { canarySteps: validateCanarySteps(canary?.steps) }
      : {}),
  };
}

const rollbackSchema = needsReason(
  z.object({
    toRevision: z.number().int().min(1).optional(),
    ...callOptions,
  }),
);

const renderSchema = z.object({
  endpoint: endpointInput,
  modelVersion: nonEmpty.optional(),
});

const sizingSchema = z.object({
  model: entityRef('Model'),
  modelVersion: nonEmpty,
  pool: entityRef('GpuPool'),
  maxModelLen: z.number().int().min(1).optional(),
  concurrentSequences: z.number().int().min(1).optional(),
  gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
});

const listSchema = z.object({
  endpoint: entityRef('InferenceEndpoint').optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before: z.coerce.number().int().min(1).optional(),
});

const endpointParams = z.object({
  namespace: nonEmpty,
  name: nonEmpty,
});

/**
 * The deployment routes: deploy, promote, rollback (each answers with the
 * deployment record: 201 when final, 202 while it is still running, to poll
 * at /deployments/{id}), history, live status, rendering and sizing.
 */
export function addDeploymentRoutes(
  router: express.Router,
  options: RouteContext & {
    deployments: DeploymentService;
    catalog: CatalogService;
  },
) {
  const { deployments, catalog, credentialsOf, mutations } = options;

  const answer = (res: express.Response, started: StartedDeployment) => {
    res
      .status(isFinalDeploymentState(started.record.state) ? 201 : 202)
      .json(started.record);
  };
  const endpointRefOf = (req: express.Request) => {
    const { namespace, name } = parseInput(
      endpointParams,
      req.params,
      'params',
    );
    return stringifyEntityRef({ kind: 'InferenceEndpoint', namespace, name });
  };

  // DeploymentService records every call it is handed (its refusals from
  // finding the endpoint onwards, and the outcome); the mutation helper
  // records the calls that never reach it because they do not parse.

  router.post('/deployments', async (req, res) => {
    answer(
      res,
      await mutations.runAuditedByService(req, {
        action: 'endpoint.deploy',
        parse: r => parseInput(deploySchema, r.body, 'body'),
        run: (body, credentials) =>
          deployments.deploy({ ...body, credentials, httpRequest: req }),
      }),
    );
  });

  router.get('/deployments', async (req, res) => {
    const query = parseInput(listSchema, req.query, 'query');
    res.json({
      items: await deployments.list({
        endpointRef: query.endpoint,
        limit: query.limit,
        beforeRevision: query.before,
      }),
    });
  });

  // Before /deployments/:id, which would take "running" for an id.
  router.get('/deployments/running', async (_req, res) => {
    res.json({ items: await deployments.running() });
  });

  router.get('/deployments/:id', async (req, res) => {
    res.json(await deployments.get(req.params.id));
  });

  router.post('/endpoints/:namespace/:name/promote', async (req, res) => {
    answer(
      res,
      await mutations.runAuditedByService(req, {
        action: 'endpoint.promote',
        parse: r => ({
          endpointRef: endpointRefOf(r),
          ...parsePromote(r.body),
        }),
        run: (call, credentials) =>
          deployments.promote({ ...call, credentials, httpRequest: req }),
      }),
    );
  });

  router.post('/endpoints/:namespace/:name/rollback', async (req, res) => {
    answer(
      res,
      await mutations.runAuditedByService(req, {
        action: 'endpoint.rollback',
        parse: r => ({
          endpointRef: endpointRefOf(r),
          ...parseInput(rollbackSchema, r.body ?? {}, 'body'),
        }),
        run: (call, credentials) =>
          deployments.rollback({ ...call, credentials, httpRequest: req }),
      }),
    );
  });

  router.get('/endpoints/:namespace/:name/status', async (req, res) => {
    const credentials = await credentialsOf(req);
    res.json(
      await deployments.status({
        credentials,
        endpointRef: endpointRefOf(req),
      }),
    );
  });

  router.post('/render', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(renderSchema, req.body, 'body');
    res.json(await deployments.render({ ...body, credentials }));
  });

  router.post('/sizing', async (req, res) => {
    const credentials = await credentialsOf(req);
    const body = parseInput(sizingSchema, req.body, 'body');
    const [model, pool] = await Promise.all([
      catalog.getEntityByRef(body.model, { credentials }),
      catalog.getEntityByRef(body.pool, { credentials }),
    ]);
    if (!model || !isModelEntity(model)) {
      throw new NotFoundError(`${body.model} is not in the catalog`);
    }
    if (!pool || !isGpuPoolEntity(pool)) {
      throw new NotFoundError(`${body.pool} is not in the catalog`);
    }
    const sized = sizeModelForPool({
      model,
      modelVersion: body.modelVersion,
      pool,
      maxModelLen: body.maxModelLen,
      concurrentSequences: body.concurrentSequences,
      gpuMemoryUtilization: body.gpuMemoryUtilization,
    });
    if (!sized.ok) {
      throw new InputError(`${sized.field}: ${sized.message}`);
    }
    res.json({
      model: body.model,
      modelVersion: body.modelVersion,
      pool: body.pool,
      sizing: sized.sizing,
    });
  });
}
