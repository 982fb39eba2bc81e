import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  ANNOTATION_OBJECT_ENDPOINT,
  ANNOTATION_OBJECT_OWNER,
  endpointAdoptPermission,
} from '@internal/plugin-ai-platform-common';
import { actorOf } from '../../audit/AuditLog';
import {
  ClusterRequestError,
  FIELD_MANAGER,
  type LiveObject,
  objectName,
} from '../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../render/types';
import { callerMay } from './callerMay';
import type { DeploymentRun, DeploymentStep, StepOutcome } from './types';

/** Whose an object in the cluster is, as this endpoint's deploy sees it. */
type Claim =
  | { kind: 'absent' }
  | { kind: 'ours'; legacy: boolean }
  | { kind: 'other-endpoint'; endpointRef: string; owner?: string }
  | { kind: 'not-ours'; managers: string[] };

/**
 * Objects of this endpoint that the portal applied before objects carried
 * an owner annotation: `Kind/namespace/name` of each object the endpoint's
 * records say was applied.
 */
async function recordedObjects(run: DeploymentRun): Promise<Set<string>> {
  const records = await run.deps.store.recent(run.plan.endpointRef, 50);
  return new Set(
    records
      .filter(r => !r.dryRun && r.id !== run.progress.id)
      .flatMap(r =>
        r.objects
          .filter(o => o.action !== undefined)
          .map(o => `${o.kind}/${o.namespace}/${o.name}`),
      ),
  );
}

function claimOf(
  run: DeploymentRun,
  manifest: KubernetesManifest,
  live: LiveObject | undefined,
  recorded: Set<string>,
): Claim {
  if (!live) return { kind: 'absent' };
  const annotations = live.metadata.annotations ?? {};
  const endpoint = annotations[ANNOTATION_OBJECT_ENDPOINT];
  if (endpoint) {
    return endpoint === run.plan.endpointRef
      ? { kind: 'ours', legacy: false }
      : {
          kind: 'other-endpoint',
          endpointRef: endpoint,
          owner: annotations[ANNOTATION_OBJECT_OWNER],
        };
  }
  const managers = [
    ...new Set(
      (live.metadata.managedFields ?? [])
        .filter(f => !f.subresource)
        .map(f => f.manager ?? '(unknown)'),
    ),
  ];
  const key = `${manifest.kind}/${manifest.metadata.namespace}/${manifest.metadata.name}`;
  // Applied before objects were annotated: ours when our records list it
  // and our field manager owns it; this apply adds the annotations.
  if (recorded.has(key) && managers.includes(FIELD_MANAGER)) {
    return { kind: 'ours', legacy: true };
  }
  return { kind: 'not-ours', managers };
}

function describeClaim(manifest: KubernetesManifest, claim: Claim): string {
  const name = `${objectName(manifest)} in namespace ${
    manifest.metadata.namespace
  }`;
  if (claim.kind === 'other-endpoint') {
    return `${name} belongs to ${claim.endpointRef}${
      claim.owner ? ` (owner ${claim.owner})` : ''
    }`;
  }
  if (claim.kind === 'not-ours') {
    return `${name} exists and was not created by the portal for this endpoint (its field managers: ${
      claim.managers.join(', ') || 'none'
    })`;
  }
  return name;
}

/**
 * 4. Ownership of the objects (no takeover). Before anything is applied,
 * the objects under the endpoint's names are read: one annotated for
 * another endpoint, or one the portal never created for this endpoint,
 * refuses the call (409), naming the object, its owner and what to do. A
 * platform admin may adopt such objects (`adopt` with a reason, permission
 * `ai-platform.endpoint.adopt`; audited with the call), and the apply then
 * takes their fields over. This check does not rely on server-side apply
 * conflicts: every endpoint is applied with one field manager, so those
 * never see one endpoint's apply land on another's objects.
 */
export const ownershipCheck: DeploymentStep = {
  name: 'ownership',
  async run(run): Promise<StepOutcome> {
    const { plan, call, deps, target } = run;
    if ('notConfigured' in target) {
      return {
        status: 'skipped',
        message: `the objects cannot be read: ${target.notConfigured}`,
      };
    }
    const client = deps.clients.client(target.cluster);
    const lives: Array<LiveObject | undefined> = [];
    for (const manifest of plan.manifests) {
      try {
        lives.push(await client.read(manifest));
      } catch (error) {
        if (!(error instanceof ClusterRequestError)) throw error;
        if (
          error.unreachable &&
          deps.deploy.unreachableClusters === 'check-only'
        ) {
          return {
            status: 'skipped',
            message: `the objects could not be read: ${error.message}`,
          };
        }
        return {
          status: 'failed',
          message: error.message,
          error: {
            object: objectName(manifest),
            cause: error.status
              ? `HTTP ${error.status}: ${error.clusterMessage}`
              : error.clusterMessage,
          },
        };
      }
    }
    const recorded = await recordedObjects(run);
    const claims = plan.manifests.map((m, i) =>
      claimOf(run, m, lives[i], recorded),
    );
    const foreign = plan.manifests
      .map((m, i) => ({ manifest: m, claim: claims[i] }))
      .filter(
        ({ claim }) =>
          claim.kind === 'other-endpoint' || claim.kind === 'not-ours',
      );
    if (foreign.length && !call.adopt) {
      const message = `${
        plan.endpointRef
      } cannot be applied over objects that are not its own: ${foreign
        .map(f => describeClaim(f.manifest, f.claim))
        .join(
          '; ',
        )}. Choose another backstage.io/kubernetes-id or namespace, or ask a platform admin to adopt them (adopt, with a reason).`;
      return { status: 'failed', message, refusal: new ConflictError(message) };
    }
    if (foreign.length) {
      if (!call.reason) {
        const message = 'adopt needs a reason: it is kept in the audit record';
        return {
          status: 'failed',
          message,
          refusal: new ConflictError(message),
        };
      }
      if (!(await callerMay(run, endpointAdoptPermission))) {
        const message = `${actorOf(
          call.credentials,
        )} may not adopt objects (permission ${
          endpointAdoptPermission.name
        }): ${foreign.map(f => describeClaim(f.manifest, f.claim)).join('; ')}`;
        return {
          status: 'failed',
          message,
          refusal: new NotAllowedError(message),
        };
      }
      run.adopting = true;
      return {
        status: 'overridden',
        message: `adopted by ${actorOf(call.credentials)} (${
          call.reason
        }): ${foreign.map(f => describeClaim(f.manifest, f.claim)).join('; ')}`,
        details: { adopted: foreign.map(f => objectName(f.manifest)) },
      };
    }
    const legacy = plan.manifests.filter((_, i) => {
      const claim = claims[i];
      return claim.kind === 'ours' && claim.legacy;
    });
    const existing = claims.filter(c => c.kind === 'ours').length;
    return {
      status: 'passed',
      message: `${existing} of ${
        plan.manifests.length
      } objects exist and are this endpoint's${
        legacy.length
          ? ` (${legacy
              .map(objectName)
              .join(
                ', ',
              )} applied before objects carried an owner: this apply annotates them)`
          : ''
      }`,
    };
  },
};
