import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  type DeploymentCheck,
  type DeploymentCheckName,
  type DeploymentError,
  type DeploymentEvent,
  type DeploymentObject,
  type DeploymentRecord,
  type DeploymentState,
  isFinalDeploymentState,
} from '@internal/plugin-ai-platform-common';
import { actorOf } from '../audit/AuditLog';
import {
  type DeploymentStore,
  publicRecord,
  type StoredDeployment,
} from './DatabaseDeploymentStore';
import type { DeploymentCall } from './DeploymentCall';
import { type DeploymentPlan, hashManifests } from './planDeployment';

/** How often a running deployment shows a sign of life in its record. */
export const HEARTBEAT_MS = 30_000;

/** The store calls a recorder makes. */
export type RecorderStore = Pick<
  DeploymentStore,
  'create' | 'update' | 'appendEvent' | 'get' | 'touch'
>;

/**
 * The record of one deployment while it runs: created from the plan, then
 * its checks, events, objects and state as the steps report them, and a
 * heartbeat (every HEARTBEAT_MS) that tells the interrupted-deployment sweep
 * that a live backend still runs it. `ready` answers a caller that does not
 * wait: once the record has something to say (applying, or final).
 */
export class DeploymentRecorder {
  private readonly checks: DeploymentCheck[] = [];
  private heartbeat?: NodeJS.Timeout;

  private constructor(
    readonly id: string,
    private readonly options: {
      store: RecorderStore;
      now: () => string;
      ready: (record: DeploymentRecord) => void;
    },
  ) {}

  /** Creates the record of a planned call (state `checking`) and starts its heartbeat. */
  static async start(options: {
    store: RecorderStore;
    plan: DeploymentPlan;
    call: DeploymentCall;
    now: () => string;
    ready: (record: DeploymentRecord) => void;
  }): Promise<DeploymentRecorder> {
    const { store, plan, call } = options;
    const record = await store.create({
      endpointRef: plan.endpointRef,
      operation: plan.operation,
      state: 'checking',
      dryRun: Boolean(call.dryRun),
      modelRef: stringifyEntityRef(plan.model),
      modelVersion: plan.modelVersion,
      poolRef: stringifyEntityRef(plan.pool),
      team: plan.team,
      cluster: plan.pool.spec.cluster,
      namespace:
        plan.rendered?.namespace ??
        plan.manifests[0]?.metadata.namespace ??
        plan.endpoint.spec.namespace ??
        'default',
      gpus: plan.gpus,
      requestedBy: actorOf(call.credentials),
      reason: call.reason,
      ...(call.idempotencyKey ? { idempotencyKey: call.idempotencyKey } : {}),
      restoredRevision: plan.restoredRevision,
      specHash: hashManifests(plan.manifests),
      sizing: plan.rendered?.sizing,
      ...(plan.canary ? { canary: plan.canary.plan } : {}),
      manifests: plan.manifests,
      objects: plan.manifests.map(m => ({
        apiVersion: m.apiVersion,
        kind: m.kind,
        name: m.metadata.name,
        namespace: m.metadata.namespace,
      })),
    });
    const recorder = new DeploymentRecorder(record.id, options);
    recorder.heartbeat = setInterval(() => {
      store.touch(record.id).catch(() => undefined);
    }, HEARTBEAT_MS);
    recorder.heartbeat.unref?.();
    return recorder;
  }

  /** Stops the heartbeat; call once the deployment no longer runs. */
  stop(): void {
    clearInterval(this.heartbeat);
  }

  /** Appends a progress line. */
  async event(
    level: DeploymentEvent['level'],
    message: string,
    object?: string,
  ): Promise<void> {
    await this.options.store.appendEvent(this.id, {
      at: this.options.now(),
      level,
      message,
      ...(object ? { object } : {}),
    });
  }

  /** Records a check's outcome, with a progress line that says it. */
  async check(
    name: DeploymentCheckName,
    status: DeploymentCheck['status'],
    message: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    this.checks.push({
      name,
      status,
      message,
      ...(details ? { details } : {}),
    });
    await this.options.store.update(this.id, { checks: this.checks });
    await this.event(
      status === 'failed' ? 'error' : 'info',
      `${name}: ${message}`,
    );
  }

  async setState(state: DeploymentState): Promise<void> {
    await this.options.store.update(this.id, { state });
  }

  async setObjects(objects: DeploymentObject[]): Promise<void> {
    await this.options.store.update(this.id, { objects });
  }

  /** Answers a caller that does not wait with the record as it is now. */
  async announce(): Promise<void> {
    this.options.ready(publicRecord(await this.options.store.get(this.id)));
  }

  /** Ends the record in a final state, and answers a caller that does not wait. */
  async finish(
    state: DeploymentState,
    extra: { error?: DeploymentError; objects?: DeploymentObject[] } = {},
  ): Promise<StoredDeployment> {
    await this.options.store.update(this.id, {
      state,
      // A running canary is not final: its driver ends the record.
      ...(isFinalDeploymentState(state)
        ? { finishedAt: this.options.now() }
        : {}),
      ...extra,
    });
    const final = await this.options.store.get(this.id);
    this.options.ready(publicRecord(final));
    return final;
  }

  /** Ends the record as failed at `error.check`. */
  async fail(error: DeploymentError): Promise<StoredDeployment> {
    return this.finish('failed', { error });
  }

  /**
   * Ends the record as failed without answering the caller with it: the
   * call is refused with an error instead (a permission refusal is a 403,
   * not a failed record).
   */
  async refuse(error: DeploymentError): Promise<void> {
    await this.options.store.update(this.id, {
      state: 'failed',
      finishedAt: this.options.now(),
      error,
    });
  }

  /**
   * After a bug or a database failure: marks the record failed at the
   * first check of `order` it did not pass, rather than leaving it in
   * progress until the sweep finds it silent. Never throws.
   */
  async failUnexpected(
    error: unknown,
    order: readonly DeploymentCheckName[],
  ): Promise<void> {
    const { store } = this.options;
    const current = await store.get(this.id).catch(() => undefined);
    if (!current || isFinalDeploymentState(current.state)) return;
    const done = new Set(current.checks.map(c => c.name));
    const check = order.find(name => !done.has(name)) ?? 'rollout';
    await store
      .update(this.id, {
        state: 'failed',
        finishedAt: this.options.now(),
        error: {
          check,
          message: `Unexpected error: ${
            error instanceof Error ? error.message : String(error)
          }`,
        },
      })
      .catch(() => undefined);
  }
}
