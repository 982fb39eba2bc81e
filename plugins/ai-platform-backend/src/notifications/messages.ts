import { parseEntityRef } from '@backstage/catalog-model';
import {
  AI_PLATFORM_NOTIFICATION_TOPICS as TOPICS,
  type BudgetVsActualRow,
  type DeploymentRecord,
  type EndpointSloReport,
  type QuotaRequest,
  type SloObjectiveReport,
} from '@internal/plugin-ai-platform-common';
import type { NotificationPayload } from '@backstage/plugin-notifications-common';

/**
 * What to send: recipients (entity refs of users or groups), the payload
 * (title, description, link into the portal, topic) and the key that makes
 * it be sent once.
 */
export type PlatformNotification = {
  dedupeKey: string;
  recipients: string[];
  payload: NotificationPayload & { topic: string; link: string };
};

const nameOf = (ref: string) => parseEntityRef(ref).name;

/** The page of an entity in the catalog, e.g. `/catalog/default/inferenceendpoint/x`. */
export function entityPath(ref: string, tab?: string): string {
  const { kind, namespace, name } = parseEntityRef(ref);
  return `/catalog/${encodeURIComponent(namespace)}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;
}

/** A quota request was approved or rejected: its requester hears of it. */
export function quotaRequestDecided(
  request: QuotaRequest,
  quota?: { before: number; after: number },
): PlatformNotification {
  const approved = request.state === 'approved';
  const what = `${request.gpus} GPUs on ${nameOf(request.pool)} for ${nameOf(
    request.team,
  )}`;
  const change = quota
    ? ` The team's quota is now ${quota.after} GPUs (was ${quota.before}).`
    : '';
  return {
    dedupeKey: `quota-request:${request.id}`,
    recipients: [request.requestedBy],
    payload: {
      title: `Quota request ${approved ? 'approved' : 'rejected'}: ${what}`,
      description: `${request.decidedBy ?? 'A platform admin'} ${
        approved ? 'approved' : 'rejected'
      } request ${request.id}${
        request.decisionReason ? `: ${request.decisionReason}` : ''
      }.${change}`,
      link: '/ai-platform/quotas',
      severity: approved ? 'normal' : 'high',
      topic: TOPICS.quotaRequestDecided,
      scope: `quota-request:${request.id}`,
    },
  };
}

/**
 * A deploy, promote or rollback ended failed (or an automatic rollback
 * happened): the endpoint's owner hears of it, with the check that failed.
 */
export function deploymentFailed(
  record: Pick<
    DeploymentRecord,
    | 'id'
    | 'endpointRef'
    | 'operation'
    | 'revision'
    | 'error'
    | 'requestedBy'
    | 'state'
    | 'reason'
    | 'restoredRevision'
  >,
  owner: string,
): PlatformNotification {
  const endpoint = nameOf(record.endpointRef);
  // `auto-rollback` is the operation of a rollback the portal started on
  // its own after a failed rollout.
  const operation = record.operation;
  const automatic = operation === 'auto-rollback';
  const failed = record.state === 'failed';
  const cause = record.error
    ? `${record.error.check}: ${record.error.message}`
    : 'no error was recorded';
  let title: string;
  let description: string;
  if (automatic && !failed) {
    title = `${endpoint} was rolled back automatically to revision ${
      record.restoredRevision ?? '?'
    } (revision ${record.revision})`;
    description = `${capitalised(
      record.reason ?? 'a rollout failed',
    )}. The last revision that succeeded runs again.`;
  } else if (automatic) {
    title = `Automatic rollback of ${endpoint} failed (revision ${record.revision})`;
    description = `${capitalised(
      record.reason ?? 'a rollout failed',
    )}. The rollback failed too and was not retried: ${cause}`;
  } else {
    title = `${capitalised(operation)} of ${endpoint} failed (revision ${
      record.revision
    })`;
    description = `Requested by ${record.requestedBy}. ${cause}`;
  }
  return {
    dedupeKey: `deployment:${record.id}:${record.state}`,
    recipients: [owner],
    payload: {
      title,
      description,
      link: entityPath(record.endpointRef, 'deployments'),
      severity: automatic && !failed ? 'high' : 'critical',
      topic: TOPICS.deploymentFailed,
      scope: `deployment:${record.id}`,
    },
  };
}

/**
 * The highest budget threshold (percent) a team's month-to-date cost or
 * forecast has reached, and which of the two reached it; undefined below
 * the lowest threshold or without a budget amount.
 */
export function budgetThresholdReached(
  row: BudgetVsActualRow,
  thresholds: readonly number[],
): { threshold: number; by: 'month-to-date cost' | 'forecast' } | undefined {
  if (!(row.budget > 0)) return undefined;
  const actual = (row.actual / row.budget) * 100;
  const forecast = (row.forecast / row.budget) * 100;
  const reached = [...thresholds]
    .sort((a, b) => b - a)
    .find(t => actual >= t || forecast >= t);
  if (reached === undefined) return undefined;
  return {
    threshold: reached,
    by: actual >= reached ? 'month-to-date cost' : 'forecast',
  };
}

/** A team's cost or forecast passed a share of its monthly budget. */
export function budgetThreshold(
  row: BudgetVsActualRow,
  reached: { threshold: number; by: 'month-to-date cost' | 'forecast' },
  admins: string[],
): PlatformNotification {
  const money = (amount: number) =>
    new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: row.currency,
    }).format(amount);
  const team = nameOf(row.teamRef);
  return {
    dedupeKey: `budget:${row.teamRef}:${row.month}:${reached.threshold}`,
    recipients: [...new Set([row.teamRef, ...admins])],
    payload: {
      title: `${team}: ${reached.by} at ${reached.threshold}% of the ${row.month} GPU budget`,
      description: `Budget ${money(row.budget)}; month-to-date cost ${money(
        row.actual,
      )}, forecast ${money(row.forecast)} (from the GPU usage collector).`,
      link: '/ai-platform/cost',
      severity: reached.threshold >= 100 ? 'high' : 'normal',
      topic: TOPICS.budgetThreshold,
      scope: `budget:${row.teamRef}:${row.month}`,
    },
  };
}

const OBJECTIVE_NAMES: Record<SloObjectiveReport['kind'], string> = {
  availability: 'availability',
  ttft: 'time to first token',
  latency: 'request latency',
  itl: 'inter-token latency',
};

/**
 * One of an endpoint's SLOs burns its error budget fast: its owner hears
 * of it, with the burn rates and the budget left. The key is the
 * objective's, so that one burning episode sends once.
 */
export function sloBurning(
  report: Pick<
    EndpointSloReport,
    'endpointRef' | 'title' | 'teamRef' | 'windowDays' | 'source'
  >,
  objective: SloObjectiveReport,
): PlatformNotification {
  const name = OBJECTIVE_NAMES[objective.kind];
  const target =
    objective.kind === 'availability'
      ? `${objective.target}%`
      : `p95 ${objective.target} ms${
          objective.boundaryMs !== undefined &&
          objective.boundaryMs !== objective.target
            ? ` (counted under the ${objective.boundaryMs} ms bucket)`
            : ''
        }`;
  const rate = (r?: number) => (r === undefined ? 'unknown' : r.toFixed(1));
  const left =
    objective.budgetLeft === undefined
      ? 'unknown'
      : `${Math.round(objective.budgetLeft * 100)}%`;
  const source =
    report.source.kind === 'prometheus'
      ? ` From Prometheus of ${report.source.cluster}.`
      : '';
  return {
    dedupeKey: `slo-burn:${report.endpointRef}:${objective.kind}`,
    recipients: [report.teamRef],
    payload: {
      title: `${report.title} burns its ${name} error budget fast`,
      description: `Target ${target} over ${
        report.windowDays
      } days; burn rate ${rate(objective.burnRate1h)} over 1 h and ${rate(
        objective.burnRate6h,
      )} over 6 h; budget left ${left}.${source}`,
      link: entityPath(report.endpointRef),
      severity: 'high',
      topic: TOPICS.sloBurn,
      scope: `slo-burn:${report.endpointRef}:${objective.kind}`,
    },
  };
}

function capitalised(operation: string) {
  return operation.charAt(0).toLocaleUpperCase('en-US') + operation.slice(1);
}

/**
 * A canary promote was aborted by its failed analysis, or failed (the
 * engine could not carry on): the endpoint's owner hears of it, with the
 * measurement or the cause. All traffic is back on the stable version.
 */
export function canaryAborted(
  canary: {
    deploymentId: string;
    endpointRef: string;
    revision: number;
    canaryVersion: string;
    stableVersion: string;
    phase: string;
    message: string;
  },
  owner: string,
): PlatformNotification {
  const endpoint = nameOf(canary.endpointRef);
  return {
    dedupeKey: `canary:${canary.deploymentId}`,
    recipients: [owner],
    payload: {
      title: `Canary of ${endpoint} ${canary.phase}: ${canary.canaryVersion} (revision ${canary.revision})`,
      description: `${capitalised(canary.message)}. ${
        canary.stableVersion
      } serves all traffic.`,
      link: entityPath(canary.endpointRef, 'deployments'),
      severity: 'high',
      topic: TOPICS.canaryAborted,
      scope: `canary:${canary.deploymentId}`,
    },
  };
}
