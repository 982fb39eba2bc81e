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
import type {
  DeploymentDependencies,
  DeploymentRun,
  DeploymentStep,
} from './pipeline/types';
import { decideAutoRollback } from './autoRollback';

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
 * before its record existed), with the endpoint it ran for; also of the
 * records the interrupted-deployment sweep ends. Errors are its own.
 */
export type DeploymentFinishedListener = (
  record: DeploymentRecord,
  context: Pick<DeploymentPlan, 'endpoint'>,
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
            ...(call.allowDowntime ? { allowDowntime: true } : {}),
            ...(plan.failedRevision !== undefined
              ? { failedRevision: plan.failedRevision }
              : {}),
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
      })
      .then(record => this.autoRollback(plan, call, record));
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

  /**
   * After a failed rollout of an endpoint with automatic rollback (see
   * decideAutoRollback): re-applies the last succeeded revision as a
   * revision of its own, audited as `endpoint.auto-rollback` on behalf of
   * the caller, and notes on the failed record what became of it. Answers
   * the failed record with those notes.
   */
  private async autoRollback(
    plan: DeploymentPlan,
    call: DeploymentCall,
    record: DeploymentRecord,
  ): Promise<DeploymentRecord> {
    const { store, logger } = this.options;
    const note = async (level: 'info' | 'warning' | 'error', message: string) =>
      store.appendEvent(record.id, { at: this.options.now(), level, message });
    try {
      const decision = await decideAutoRollback({ plan, record, store });
      if (!decision.rollback) {
        if (!decision.why) return record;
        await note(
          plan.operation === 'auto-rollback' ? 'error' : 'warning',
          decision.why,
        );
        return publicRecord(await store.get(record.id));
      }
      await note(
        'info',
        `Automatic rollback (spec.rollout.autoRollback): re-applying revision ${decision.plan.restoredRevision} (${decision.plan.modelVersion}), the last that succeeded`,
      );
      const started = await this.start(decision.plan, {
        credentials: call.credentials,
        reason: decision.reason,
        ...(call.allowDowntime ? { allowDowntime: true } : {}),
        wait: true,
      });
      const rollback = started.record;
      const restored =
        rollback.state === 'succeeded' || rollback.state === 'unchanged';
      await note(
        restored ? 'info' : 'error',
        restored
          ? `Automatic rollback revision ${rollback.revision} ${rollback.state}: revision ${decision.plan.restoredRevision} (${decision.plan.modelVersion}) runs again`
          : `Automatic rollback revision ${rollback.revision} ${
              rollback.state
            }${
              rollback.error
                ? ` at ${rollback.error.check}: ${rollback.error.message}`
                : ''
            }; it stops there (a rollback is never rolled back)`,
      );
    } catch (error) {
      // E.g. another deployment of the endpoint started in between.
      logger.warn('Automatic rollback did not start', {
        endpoint: plan.endpointRef,
        error: String(error),
      });
      await note(
        'error',
        `Automatic rollback did not start: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ).catch(() => undefined);
    }
    return publicRecord(await store.get(record.id));
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
    const run: DeploymentRun = {
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
      releaseSurge: async () => {},
    };
    try {
      return await runDeploymentSteps({ run, recorder, steps });
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
      // The surge pods are gone (or never came): their GPUs go back,
      // however the deployment ended.
      await run.releaseSurge().catch(error =>
        this.options.logger.error('Could not release surge GPUs', {
          endpoint: plan.endpointRef,
          error: String(error),
        }),
      );
    }
  }
}
