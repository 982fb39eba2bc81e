// Over 500 lines: one reconcile of a Rollout (template, background and step
// analysis, abort, scaling, traffic, workloadRef, status) builds one status
// object in the order Argo Rollouts' rolloutContext does; its parts that
// stand alone are in steps.ts, rolloutStatus.ts, traffic.ts and
// analysisRuns.ts.
import type { ApiOperations } from '../ApiOperations';
import { ControllerBase } from '../ControllerBase';
import type { ObjectStore, StoreEvent } from '../ObjectStore';
import { RESOURCE_TYPES } from '../resources';
import type { KubeObject } from '../types';
import { clone, deepEqual, shortHash, timestamp } from '../util';
import type { Kubelet } from '../workload/kubelet';
import {
  DEPLOYMENT,
  ensureReplicaSet,
  isReady,
  podsOf,
  recordEvent,
  replicaSetsOf,
  replicasOfSet,
  syncPods,
  workloadOfPod,
} from '../workload/pods';
import { setReplicas } from '../workload/scale';
import { syncReplicaSetStatuses } from '../workload/status';
import { ANALYSIS_RUN, isTerminal, ROLLOUTS_MANAGER } from './analysis';
import { ensureAnalysisRun, terminateAnalysisRun } from './analysisRuns';
import { analysisStatus, failed, runCanarySteps } from './steps';
import {
  conditionsOf,
  type Observed,
  phaseOf,
  selectorString,
} from './rolloutStatus';
import { pointServices, setRouteWeights } from './traffic';
import type { AnalysisRunStatusRef, RolloutSpec, RolloutStatus } from './types';

/*
 * A simulated Argo Rollouts controller for the canary strategy, modelled on
 * Argo Rollouts v1.8 (pkg/apis/rollouts/v1alpha1/types.go; rollout/canary.go,
 * rollout/pause.go, rollout/analysis.go, rollout/trafficrouting.go). See
 * docs/testing.md for what it does and leaves out. It reuses the ReplicaSet
 * machinery of the Deployment controller (workload/): ReplicaSets
 * `<rollout>-<hash>` labelled `rollouts-pod-template-hash`, their pods
 * scheduled and started by the Kubelet.
 */

const ROLLOUT = RESOURCE_TYPES.find(t => t.kind === 'Rollout')!;
const REPLICASET_TYPE = RESOURCE_TYPES.find(t => t.kind === 'ReplicaSet')!;
const HASH_LABEL = 'rollouts-pod-template-hash';
const REVISION = 'rollout.argoproj.io/revision';
const SCALE_DOWN_DEADLINE = 'scale-down-deadline';
const COMPONENT = 'rollouts-controller';

export class RolloutController extends ControllerBase {
  /** When the current step of a rollout (by uid, hash and step) started waiting. */
  private readonly progressSince = new Map<string, number>();

  constructor(
    store: ObjectStore,
    private readonly options: {
      api: ApiOperations;
      kubelet: Kubelet;
      progressDeadlineMs?: number;
    },
  ) {
    super(store, ROLLOUTS_MANAGER);
    options.kubelet.onPodChange(pod => {
      const owner = workloadOfPod(this.store, pod);
      if (owner?.kind === 'Rollout') {
        this.queue(pod.metadata.namespace!, owner.name);
      }
    });
  }

  private queue(namespace: string, name: string, ms = 0) {
    const run = () => this.reconcile(namespace, name);
    if (ms > 0) {
      // One timer per rollout and due second.
      const due = Math.ceil((Date.now() + ms) / 1000);
      this.laterOnce(`${namespace}/${name}@${due}`, ms, run);
    } else this.laterOnce(`${namespace}/${name}`, 0, run);
  }

  protected onStart(): void {
    for (const r of this.store.list(ROLLOUT)) {
      this.queue(r.metadata.namespace!, r.metadata.name!);
    }
  }

  protected onEvent(event: StoreEvent): void {
    const { object } = event;
    const ns = object.metadata.namespace!;
    const owner = object.metadata.ownerReferences?.find(
      r => r.kind === 'Rollout' && r.controller,
    );
    switch (event.resource.kind) {
      case 'Rollout':
        if (event.type === 'DELETED') return;
        this.queue(ns, object.metadata.name!);
        return;
      case 'AnalysisRun':
        if (owner) this.queue(ns, owner.name);
        return;
      case 'Pod':
        if (event.type === 'DELETED') {
          const w = workloadOfPod(this.store, object);
          if (w?.kind === 'Rollout') this.queue(ns, w.name);
        }
        return;
      case 'Deployment':
      case 'ServiceAccount':
        for (const r of this.store.list(ROLLOUT, ns)) {
          const ref = (r.spec as RolloutSpec).workloadRef;
          if (
            event.resource.kind === 'ServiceAccount' ||
            (ref?.kind === 'Deployment' && ref.name === object.metadata.name)
          ) {
            this.queue(ns, r.metadata.name!);
          }
        }
        return;
      default:
        return;
    }
  }

  private writeStatus(rollout: KubeObject, status: RolloutStatus) {
    const clean = JSON.parse(JSON.stringify(status)) as RolloutStatus;
    if (deepEqual(rollout.status, clean)) return;
    this.write(ROLLOUT, { ...rollout, status: clean }, 'status');
  }

  private event(
    rollout: KubeObject,
    reason: string,
    message: string,
    type: 'Normal' | 'Warning' = 'Normal',
  ) {
    recordEvent(this.store, rollout, {
      reason,
      message,
      type,
      component: COMPONENT,
    });
  }

  private invalid(rollout: KubeObject, status: RolloutStatus, message: string) {
    status.phase = 'Degraded';
    status.message = `InvalidSpec: ${message}`;
    status.observedGeneration = String(rollout.metadata.generation ?? 1);
    status.conditions = [
      ...(status.conditions ?? []).filter(c => c.type !== 'InvalidSpec'),
      {
        type: 'InvalidSpec',
        status: 'True',
        reason: 'InvalidSpec',
        message,
        lastUpdateTime: timestamp(),
        lastTransitionTime:
          status.conditions?.find(c => c.type === 'InvalidSpec')
            ?.lastTransitionTime ?? timestamp(),
      },
    ];
    this.writeStatus(rollout, status);
  }

  private reconcile(namespace: string, name: string) {
    const rollout = this.store.get(ROLLOUT, namespace, name);
    if (!rollout || rollout.metadata.deletionTimestamp) return;
    const spec = (rollout.spec ?? {}) as RolloutSpec;
    const s = clone((rollout.status ?? {}) as RolloutStatus);
    const canary = spec.strategy?.canary;
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;

    let template = spec.template;
    let selector = spec.selector;
    let workload: KubeObject | undefined;
    if (spec.workloadRef) {
      const ref = spec.workloadRef;
      workload =
        ref.kind === 'Deployment' && ref.name
          ? this.store.get(DEPLOYMENT, namespace, ref.name)
          : undefined;
      if (!workload) {
        this.invalid(
          rollout,
          s,
          ref.kind === 'Deployment'
            ? `The Rollout "${name}" is invalid: spec.workloadRef.name: Invalid value: "${ref.name}": deployments.apps "${ref.name}" not found`
            : `The Rollout "${name}" is invalid: spec.workloadRef.kind: the simulated controller references Deployments only, not ${ref.kind}`,
        );
        return;
      }
      const wSpec = (workload.spec ?? {}) as RolloutSpec;
      template = wSpec.template;
      selector = selector ?? wSpec.selector;
      s.workloadObservedGeneration = String(workload.metadata.generation ?? 1);
    }
    if (!canary) {
      this.invalid(
        rollout,
        s,
        'the simulated Argo Rollouts controller runs spec.strategy.canary only',
      );
      return;
    }
    if (!template) {
      this.invalid(
        rollout,
        s,
        `The Rollout "${name}" is invalid: spec.template: Required value: or spec.workloadRef`,
      );
      return;
    }
    s.conditions = s.conditions?.filter(c => c.type !== 'InvalidSpec');

    const steps = canary.steps ?? [];
    // Argo Rollouts hashes templates its own way: never the name of a
    // Deployment's ReplicaSet of the same template (workloadRef).
    const hash = shortHash([template, 'argo-rollouts']);
    const rsName = `${name}-${hash}`;
    const setsBefore = replicaSetsOf(this.store, rollout);
    const revision = String(
      Number(
        setsBefore.find(x => x.metadata.name === rsName)?.metadata
          .annotations?.[REVISION] ?? 0,
      ) ||
        Math.max(
          0,
          ...setsBefore.map(x =>
            Number(x.metadata.annotations?.[REVISION] ?? 0),
          ),
        ) + 1,
    );
    const current = ensureReplicaSet(this.store, {
      owner: rollout,
      name: rsName,
      template,
      selector,
      hashLabel: HASH_LABEL,
      hash,
      annotations: {
        [REVISION]: String(revision),
        'rollout.argoproj.io/desired-replicas': String(replicas),
      },
      manager: ROLLOUTS_MANAGER,
    });
    if (rollout.metadata.annotations?.[REVISION] !== revision) {
      this.write(ROLLOUT, {
        ...rollout,
        metadata: {
          ...rollout.metadata,
          annotations: {
            ...rollout.metadata.annotations,
            [REVISION]: revision,
          },
        },
      });
      return; // the write brings us back
    }

    // A new template (or the first one): steps from the start; the first
    // template of a Rollout goes straight to stable, as in Argo Rollouts.
    const stepHash = shortHash(steps);
    if (!s.stableRS) s.stableRS = hash;
    if (!s.abort && s.abortedAt) {
      // Retried (`kubectl argo rollouts retry` sets status.abort false):
      // the steps run again, with new analysis runs.
      delete s.abortedAt;
      s.currentStepIndex = 0;
      if (s.canary) {
        delete s.canary.currentStepAnalysisRunStatus;
        delete s.canary.currentBackgroundAnalysisRunStatus;
      }
      for (const run of this.store.list(ANALYSIS_RUN, namespace)) {
        if (
          run.metadata.ownerReferences?.some(
            r => r.uid === rollout.metadata.uid,
          ) &&
          isTerminal((run.status as { phase?: string } | undefined)?.phase)
        ) {
          this.options.api.delete(
            ANALYSIS_RUN,
            namespace,
            run.metadata.name!,
            {},
          );
        }
      }
    }
    if (s.currentPodHash !== hash) {
      const first = s.currentPodHash === undefined;
      s.currentPodHash = hash;
      s.currentStepIndex = hash === s.stableRS ? steps.length : 0;
      delete s.abort;
      delete s.abortedAt;
      delete s.pauseConditions;
      delete s.controllerPause;
      delete s.promoteFull;
      if (s.canary) {
        delete s.canary.currentStepAnalysisRunStatus;
        delete s.canary.currentBackgroundAnalysisRunStatus;
      }
      this.terminateRuns(
        rollout,
        run => run.metadata.labels?.[HASH_LABEL] !== hash,
      );
      if (!first) {
        this.event(
          rollout,
          'RolloutUpdated',
          `Rollout updated to revision ${revision}`,
        );
      }
    } else if (
      s.currentStepHash !== undefined &&
      s.currentStepHash !== stepHash &&
      hash !== s.stableRS
    ) {
      s.currentStepIndex = 0;
    }
    s.currentStepHash = stepHash;

    const sets = replicaSetsOf(this.store, rollout);
    const stable = sets.find(
      x => x.metadata.labels?.[HASH_LABEL] === s.stableRS,
    );
    const readyOf = (rs: KubeObject | undefined) =>
      rs ? podsOf(this.store, rs).filter(isReady).length : 0;
    const routed = Boolean(canary.trafficRouting);
    let promoted = hash === s.stableRS;
    let weight = 0;
    let canaryTarget = 0;
    let stableTarget = replicas;
    let waitingFor: string | undefined;
    let abortMessage: string | undefined;
    let deadlineExceeded = false;
    const now = Date.now();

    // Background analysis: from its starting step until the rollout completes.
    if (!promoted && !s.abort && canary.analysis?.templates?.length) {
      const startingStep = canary.analysis.startingStep ?? 0;
      if ((s.currentStepIndex ?? 0) >= startingStep) {
        const ref = analysisStatus(
          ensureAnalysisRun(this.store, {
            rollout,
            analysis: canary.analysis,
            hash,
            revision,
          }),
        );
        if (typeof ref === 'string') {
          this.invalid(rollout, s, ref);
          return;
        }
        s.canary = { ...s.canary, currentBackgroundAnalysisRunStatus: ref };
        if (failed(ref)) {
          s.abort = true;
          abortMessage = ref.message;
        }
      }
    }

    if (!promoted && !s.abort) {
      const run = runCanarySteps({
        store: this.store,
        rollout,
        spec,
        s,
        steps,
        hash,
        revision,
        replicas,
        routed,
        current,
        readyOf,
        now,
        event: (reason, message, type) =>
          this.event(rollout, reason, message, type),
        queue: ms => this.queue(namespace, name, ms),
      });
      if (run.invalid) {
        this.invalid(rollout, s, run.invalid);
        return;
      }
      const i = run.i;
      ({ weight, canaryTarget, stableTarget, waitingFor, abortMessage } = run);
      if (i >= steps.length && !s.abort) {
        weight = 100;
        canaryTarget = replicas;
        stableTarget = routed ? replicas : 0;
        if (
          readyOf(current) >= replicas &&
          replicasOfSet(current) >= replicas
        ) {
          s.stableRS = hash;
          promoted = true;
          delete s.promoteFull;
          this.terminateRuns(rollout, () => true);
          this.event(
            rollout,
            'RolloutCompleted',
            `Rollout completed update to revision ${revision} (${hash}): Completed all ${steps.length} canary steps`,
          );
        } else {
          waitingFor =
            waitingFor ?? 'updated replicas are still becoming available';
        }
      }
      // Progress deadline: the step waits on pods that do not get ready.
      const key = `${rollout.metadata.uid}/${hash}/${i}`;
      const paused = Boolean(s.pauseConditions?.length) || spec.paused;
      if (
        !promoted &&
        !paused &&
        !s.abort &&
        waitingFor?.includes('replicas')
      ) {
        const since = this.progressSince.get(key) ?? now;
        this.progressSince.set(key, since);
        const deadline =
          this.options.progressDeadlineMs ??
          (spec.progressDeadlineSeconds ?? 600) * 1000;
        if (now - since >= deadline) {
          deadlineExceeded = true;
          if (spec.progressDeadlineAbort) {
            s.abort = true;
            abortMessage = `ReplicaSet "${rsName}" has timed out progressing.`;
          }
        } else {
          this.queue(namespace, name, deadline - (now - since) + 5);
        }
      } else {
        this.progressSince.delete(key);
      }
    }

    if (s.abort && !promoted) {
      if (!s.abortedAt) {
        s.abortedAt = timestamp();
        this.event(
          rollout,
          'RolloutAborted',
          `Rollout aborted update to revision ${revision}${
            abortMessage ? `: ${abortMessage}` : ''
          }`,
          'Warning',
        );
        this.terminateRuns(rollout, () => true);
      }
      abortMessage =
        abortMessage ??
        [
          s.canary?.currentStepAnalysisRunStatus,
          s.canary?.currentBackgroundAnalysisRunStatus,
        ]
          .filter((r): r is AnalysisRunStatusRef => Boolean(r && failed(r)))
          .map(r => r.message)
          .find(Boolean);
      if (abortMessage === undefined) {
        // Why it aborted, as the Progressing condition recorded it then.
        const recorded = s.conditions?.find(
          c => c.type === 'Progressing' && c.reason === 'RolloutAborted',
        )?.message;
        const prefix = `Rollout aborted update to revision ${revision}: `;
        if (recorded?.startsWith(prefix)) {
          abortMessage = recorded.slice(prefix.length);
        }
      }
      delete s.pauseConditions;
      delete s.controllerPause;
      weight = 0;
      stableTarget = replicas;
      if (routed) {
        const delay = canary.abortScaleDownDelaySeconds ?? 30;
        const left = Date.parse(s.abortedAt) + delay * 1000 - now;
        if (delay === 0) canaryTarget = replicasOfSet(current);
        else if (left > 0) {
          canaryTarget = replicasOfSet(current);
          this.queue(namespace, name, left + 5);
        } else canaryTarget = 0;
      } else canaryTarget = 0;
    }

    // Scale: the canary first; the stable (and older sets) go down only as
    // far as the ready pods allow (the canary comes up before the stable
    // goes down).
    if (promoted) {
      this.scale(rollout, current, replicas);
      const delaySeconds = routed ? canary.scaleDownDelaySeconds ?? 30 : 0;
      for (const rs of sets) {
        if (rs.metadata.uid === current.metadata.uid) continue;
        if (replicasOfSet(rs) === 0) continue;
        const allowed = Math.max(0, replicas - readyOf(current));
        if (delaySeconds > 0 && readyOf(current) >= replicas) {
          const deadline = rs.metadata.annotations?.[SCALE_DOWN_DEADLINE];
          if (!deadline) {
            this.writeRs(rs, {
              [SCALE_DOWN_DEADLINE]: new Date(
                now + delaySeconds * 1000,
              ).toISOString(),
            });
            this.queue(namespace, name, delaySeconds * 1000 + 5);
            continue;
          }
          if (Date.parse(deadline) > now) {
            this.queue(namespace, name, Date.parse(deadline) - now + 5);
            continue;
          }
          this.scale(rollout, rs, 0);
        } else if (delaySeconds === 0) {
          this.scale(rollout, rs, Math.min(replicasOfSet(rs), allowed));
        }
      }
    } else {
      this.scale(rollout, current, canaryTarget);
      const canaryReady = readyOf(current);
      if (stable) {
        const floor = Math.max(stableTarget, replicas - canaryReady);
        this.scale(
          rollout,
          stable,
          Math.min(Math.max(replicasOfSet(stable), stableTarget), floor),
        );
      }
      for (const rs of sets) {
        if (rs.metadata.uid === current.metadata.uid) continue;
        if (stable && rs.metadata.uid === stable.metadata.uid) continue;
        this.scale(rollout, rs, 0);
      }
    }
    const created: KubeObject[] = [];
    for (const rs of replicaSetsOf(this.store, rollout)) {
      created.push(...syncPods(this.store, this.options.api, rs));
    }
    this.options.kubelet.scheduleCreated(namespace, created);
    const finalSets = replicaSetsOf(this.store, rollout);
    syncReplicaSetStatuses(this.store, finalSets);

    // Traffic.
    const stableHash = s.stableRS!;
    if (routed) {
      s.canary = {
        ...s.canary,
        weights: {
          canary: {
            weight: promoted ? 0 : weight,
            podTemplateHash: hash,
            ...(canary.canaryService
              ? { serviceName: canary.canaryService }
              : {}),
          },
          stable: {
            weight: promoted ? 100 : 100 - weight,
            podTemplateHash: stableHash,
            ...(canary.stableService
              ? { serviceName: canary.stableService }
              : {}),
          },
        },
      };
      setRouteWeights(this.store, rollout, canary, promoted ? 0 : weight);
    } else if (s.canary) {
      delete s.canary.weights;
    }
    pointServices(this.store, rollout, canary, {
      canary: hash,
      stable: stableHash,
    });
    if (promoted && s.canary) {
      delete s.canary.currentStepAnalysisRunStatus;
      delete s.canary.currentBackgroundAnalysisRunStatus;
    }

    // The referenced Deployment's scale-down.
    if (workload && spec.workloadRef?.scaleDown) {
      const rolloutReady = finalSets.reduce((n, rs) => n + readyOf(rs), 0);
      let target: number | undefined;
      if (
        spec.workloadRef.scaleDown === 'onsuccess' &&
        promoted &&
        readyOf(current) >= replicas
      )
        target = 0;
      if (spec.workloadRef.scaleDown === 'progressively')
        target = Math.max(0, replicas - rolloutReady);
      const now_ = (workload.spec as { replicas?: number }).replicas ?? 1;
      if (target !== undefined && target < now_) {
        this.write(DEPLOYMENT, {
          ...workload,
          spec: { ...(workload.spec as object), replicas: target },
        });
      }
    }

    // Status.
    const pods = finalSets.flatMap(rs => podsOf(this.store, rs));
    const currentNow = finalSets.find(
      x => x.metadata.uid === current.metadata.uid,
    )!;
    const updatedPods = podsOf(this.store, currentNow);
    const ready = pods.filter(isReady).length;
    const observed: Observed = {
      revision,
      rsName,
      replicas,
      pods: pods.length,
      ready,
      updated: updatedPods.length,
      updatedReady: updatedPods.filter(isReady).length,
      promoted,
      oldGone: finalSets.every(
        rs =>
          rs.metadata.uid === currentNow.metadata.uid ||
          podsOf(this.store, rs).length === 0,
      ),
      paused: Boolean(s.pauseConditions?.length) || Boolean(spec.paused),
      aborted: Boolean(s.abort) && !promoted,
      abortMessage,
      deadlineExceeded,
      waitingFor,
    };
    if (promoted) delete s.abort;
    const { phase, message } = phaseOf(observed);
    s.phase = phase;
    if (message) s.message = message;
    else if (phase === 'Paused')
      s.message = s.pauseConditions?.[0]?.reason ?? 'manually paused';
    else delete s.message;
    s.conditions = conditionsOf(rollout, s.conditions, observed, hash);
    s.observedGeneration = String(rollout.metadata.generation ?? 1);
    s.replicas = pods.length;
    s.updatedReplicas = updatedPods.length;
    s.readyReplicas = ready;
    s.availableReplicas = ready;
    s.HPAReplicas = pods.length;
    s.selector = selectorString(selector?.matchLabels);
    if (!steps.length) delete s.currentStepIndex;
    this.writeStatus(rollout, s);
  }

  private scale(rollout: KubeObject, rs: KubeObject, to: number) {
    const fresh =
      this.store.get(
        REPLICASET_TYPE,
        rs.metadata.namespace,
        rs.metadata.name!,
      ) ?? rs;
    setReplicas(this.store, rollout, fresh, to, COMPONENT, ROLLOUTS_MANAGER);
  }

  private writeRs(rs: KubeObject, annotations: Record<string, string>) {
    this.write(REPLICASET_TYPE, {
      ...rs,
      metadata: {
        ...rs.metadata,
        annotations: { ...rs.metadata.annotations, ...annotations },
      },
    });
  }

  /** Terminates the rollout's AnalysisRuns still running that `which` selects. */
  private terminateRuns(
    rollout: KubeObject,
    which: (run: KubeObject) => boolean,
  ) {
    for (const run of this.store.list(
      ANALYSIS_RUN,
      rollout.metadata.namespace,
    )) {
      if (
        !run.metadata.ownerReferences?.some(r => r.uid === rollout.metadata.uid)
      )
        continue;
      if (isTerminal((run.status as { phase?: string } | undefined)?.phase))
        continue;
      if (which(run)) terminateAnalysisRun(this.store, run);
    }
  }
}
