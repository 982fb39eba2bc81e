import type { LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import type { AuditLog } from '../audit/AuditLog';
import type { ClusterClients } from './ClusterClients';
import {
  type DeploymentStore,
  publicRecord,
  type StoredDeployment,
} from './DatabaseDeploymentStore';
import type { DeploymentCall, StartedDeployment } from './DeploymentCall';
import { DeploymentRecorder } from './DeploymentRecorder';
import type { DeploymentPlan } from './planDeployment';
import { runDeploymentSteps } from './pipeline/runDeploymentSteps';
import type { DeploymentDependencies, DeploymentStep } from './pipeline/types';

/** Thrown inside the audited action when a deployment ends failed. */
class DeploymentFailed extends Error {
  constructor(readonly record: StoredDeployment) {
    super(
      `${record.error?.check ?? 'deploy'} failed: ${
        record.error?.message ?? 'unknown error'
      }`,
    );
  }
}

/**
 * Told of each final record of a deployment that ran (not of a call refused
 * before its record existed), with the plan it ran; errors are its own.
 */
export type DeploymentFinishedListener = (
  record: DeploymentRecord,
  plan: DeploymentPlan,
) => Promise<void>;

/**
 * Runs planned deployments: one audit record per call around the record of
 * the deployment and its steps. Answers once the record exists and the
 * checks before apply are done (or failed), unless the caller waits for
 * the final record.
 */
export class DeploymentRunner {
  constructor(
    private readonly options: {
      store: DeploymentStore;
      auditLog: AuditLog;
      logger: LoggerService;
      clients: ClusterClients;
      deps: DeploymentDependencies;
      steps: readonly DeploymentStep[];
      now: () => string;
      onFinished?: DeploymentFinishedListener;
    },
  ) {}

  async start(
    plan: DeploymentPlan,
    call: DeploymentCall,
  ): Promise<StartedDeployment> {
    let resolveReady!: (record: DeploymentRecord) => void;
    const ready = new Promise<DeploymentRecord>(r => {
      resolveReady = r;
    });
    const settled = this.options.auditLog
      .track(
        {
          action: `endpoint.${plan.operation}`,
          credentials: call.credentials,
          target: plan.endpointRef,
          request: {
            modelVersion: plan.modelVersion,
            pool: stringifyEntityRef(plan.pool),
            gpus: plan.gpus,
            dryRun: Boolean(call.dryRun),
            ...(call.reason ? { reason: call.reason } : {}),
            ...(call.overrideGates ? { overrideGates: true } : {}),
            ...(call.allowDeprecated ? { allowDeprecated: true } : {}),
            ...(call.adopt ? { adopt: true } : {}),
            ...(call.idempotencyKey
              ? { idempotencyKey: call.idempotencyKey }
              : {}),
            ...(plan.restoredRevision !== undefined
              ? { toRevision: plan.restoredRevision }
              : {}),
          },
          httpRequest: call.httpRequest,
          severityLevel: call.dryRun ? 'low' : 'high',
        },
        async () => {
          const record = await this.run(plan, call, resolveReady);
          if (record.state === 'failed') {
            throw new DeploymentFailed(record);
          }
          return record;
        },
        record => ({
          revision: record.revision,
          state: record.state,
          specHash: record.specHash,
        }),
      )
      .catch(error => {
        if (error instanceof DeploymentFailed) {
          return error.record;
        }
        throw error;
      })
      .then(publicRecord)
      .then(record => {
        this.finished(record, plan);
        return record;
      });
    const first = await Promise.race([ready, settled]);
    if (call.wait) {
      return { record: await settled, settled };
    }
    // The caller does not wait: errors after this point are in the record.
    settled.catch(error =>
      this.options.logger.error('Deployment failed unexpectedly', {
        endpoint: plan.endpointRef,
        error: String(error),
      }),
    );
    return { record: first, settled };
  }

  /** Tells the listener of a final record, without waiting or failing the call. */
  private finished(record: DeploymentRecord, plan: DeploymentPlan) {
    const listener = this.options.onFinished;
    if (!listener) return;
    listener(record, plan).catch(error =>
      this.options.logger.warn('A deployment listener failed', {
        endpoint: plan.endpointRef,
        revision: record.revision,
        error: String(error),
      }),
    );
  }

  /** Records the deployment and runs its steps; the final record. */
  private async run(
    plan: DeploymentPlan,
    call: DeploymentCall,
    ready: (record: DeploymentRecord) => void,
  ): Promise<StoredDeployment> {
    const { store, clients, deps, steps, now } = this.options;
    const recorder = await DeploymentRecorder.start({
      store,
      plan,
      call,
      now,
      ready,
    });
    const cluster = plan.pool.spec.cluster;
    if (deps.deploy.simulatedClusters?.includes(cluster)) {
      await recorder.event(
        'info',
        `Cluster ${cluster} is SIMULATED (aiPlatform.demo.simulatedClusters): the demo's fake Kubernetes API server with simulated GPU nodes; nothing runs on a real GPU`,
      );
    }
    try {
      return await runDeploymentSteps({
        run: {
          plan,
          call,
          dryRun: Boolean(call.dryRun),
          deps,
          progress: recorder,
          target: clients.target(
            plan.pool.spec.cluster,
            stringifyEntityRef(plan.pool),
          ),
          restoreReservation: async () => {},
        },
        recorder,
        steps,
      });
    } catch (error) {
      // A bug or a database failure: the record says so rather than staying
      // in progress until the sweep finds it silent.
      await recorder.failUnexpected(
        error,
        steps.map(s => s.name),
      );
      throw error;
    } finally {
      recorder.stop();
    }
  }
}
