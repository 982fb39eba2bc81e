import { createApiRef } from '@backstage/core-plugin-api';
import type {
  AuditFilter,
  AuditPage,
  AuditVerification,
  BudgetChange,
  BudgetsResponse,
  CanaryStatus,
  CostExportFormat,
  CostGranularity,
  CostGroupBy,
  CostSummary,
  CostTopSpenders,
  DeploymentRecord,
  EndpointLiveStatus,
  EndpointSloReport,
  EvalComparison,
  EvalHistoryResponse,
  EvalLeaderboardResponse,
  EvalRunsResponse,
  EvalScoresResponse,
  ModelGateStatus,
  ModelStage,
  MonthForecast,
  MonthOverMonth,
  PoolKueueStatus,
  QuotaCheck,
  QuotaRequest,
  QuotaRequestDecision,
  QuotaRequestState,
  QuotaRequestsResponse,
  QuotasResponse,
  PromoteRequest,
  RollbackRequest,
  SloFleetResponse,
  QuotaUsageResponse,
  RunningFleetResponse,
  RunningDeployment,
} from '@internal/plugin-ai-platform-common';

/**
 * A cost window. Both bounds are ISO 8601 dates (`2026-11-01`, UTC midnight)
 * or date-times with `Z` or an offset; `to` is exclusive. Without `to` the
 * backend answers up to the end of the current hour, without `from` for the
 * 30 days before `to`.
 */
export type CostWindow = { from?: string; to?: string };

/** A file the backend produced (CSV exports), with the name it suggested. */
export type DownloadedFile = { filename: string; blob: Blob };

/**
 * The ai-platform REST API (`/api/ai-platform`, see the backend's
 * openapi.yaml) as the portal calls it, with the signed-in user's
 * credentials. Every method throws a `ResponseError` from
 * `@backstage/errors` when the backend answers with an error.
 */
export interface AiPlatformApi {
  // Evals and gates
  /** `GET /evals/runs`: runs of a model (optionally one version), newest first. */
  listEvalRuns(options: {
    model: string;
    version?: string;
    limit?: number;
  }): Promise<EvalRunsResponse>;
  /** `GET /evals/scores`: the latest score per task and metric of a version. */
  getEvalScores(options: {
    model: string;
    version: string;
  }): Promise<EvalScoresResponse>;
  /** `GET /evals/history`: every score of one task and metric, oldest first. */
  getEvalHistory(options: {
    model: string;
    task: string;
    metric: string;
  }): Promise<EvalHistoryResponse>;
  /** `GET /evals/compare`: version `a` of `model` against version `b` of `modelB` (or `model`). */
  compareEvals(options: {
    model: string;
    a: string;
    b: string;
    modelB?: string;
  }): Promise<EvalComparison>;
  /** `GET /evals/leaderboard`: the newest score of every model version, best first per task. */
  getLeaderboard(options?: {
    type?: string;
    task?: string;
    stage?: ModelStage;
  }): Promise<EvalLeaderboardResponse>;
  /** `GET /gates`: pass / fail / missing per gate of a model version, with the numbers. */
  getGateStatus(options: {
    model: string;
    version: string;
  }): Promise<ModelGateStatus>;

  // Quotas
  /** `GET /quotas`: capacity, usage and each team's quota per pool. */
  getQuotas(options?: {
    pool?: string;
    team?: string;
  }): Promise<QuotasResponse>;
  /** `GET /quotas/check`: may the team place `gpus` more GPUs on the pool? */
  checkQuota(options: {
    team: string;
    pool: string;
    gpus: number;
    endpoint?: string;
  }): Promise<QuotaCheck>;
  /** `GET /quotas/kueue`: the pool's Kueue ClusterQueue, or why it cannot be read. */
  getKueueStatus(options: { pool: string }): Promise<PoolKueueStatus>;
  /** `GET /quotas/usage`: per team and pool, GPUs reserved by records beside GPUs running in the cluster, with drift. */
  getQuotaUsage(options?: {
    pool?: string;
    team?: string;
  }): Promise<QuotaUsageResponse>;
  /** `GET /fleet/running`: what runs of each endpoint (or one), from the clusters, with its basis. */
  getRunningFleet(options?: {
    endpoint?: string;
  }): Promise<RunningFleetResponse>;
  /** `GET /quota-requests`: requests for more GPUs, newest first. */
  listQuotaRequests(options?: {
    state?: QuotaRequestState;
    team?: string;
    pool?: string;
  }): Promise<QuotaRequestsResponse>;
  /** `POST /quota-requests`: ask for a larger quota (the total needed), with a reason. */
  createQuotaRequest(options: {
    team: string;
    pool: string;
    gpus: number;
    reason: string;
  }): Promise<QuotaRequest>;
  /** `POST /quota-requests/{id}/decision`: approve or reject, with a reason. */
  decideQuotaRequest(options: {
    id: string;
    decision: 'approve' | 'reject';
    reason: string;
  }): Promise<QuotaRequestDecision>;

  // Cost
  /** `GET /cost/summary`: totals and groups of a window, and a series when a granularity is given. */
  getCostSummary(
    options: CostWindow & {
      groupBy?: CostGroupBy;
      granularity?: CostGranularity;
    },
  ): Promise<CostSummary>;
  /** `GET /cost/top`: the biggest spenders of a window. */
  getTopSpenders(
    options: CostWindow & { groupBy?: CostGroupBy; limit?: number },
  ): Promise<CostTopSpenders>;
  /** `GET /cost/month-over-month`: a month (default the current one) against the month before. */
  getMonthOverMonth(options?: {
    month?: string;
    groupBy?: CostGroupBy;
  }): Promise<MonthOverMonth>;
  /** `GET /cost/forecast`: the current month's forecast. */
  getCostForecast(options?: { groupBy?: CostGroupBy }): Promise<MonthForecast>;
  /** `GET /cost/budgets`: budget against actual and forecast per team for a month. */
  getBudgets(options?: { month?: string }): Promise<BudgetsResponse>;
  /** `PUT /cost/budgets`: set a team's budget for a month, with a reason. */
  setBudget(options: {
    team: string;
    month: string;
    amount: number;
    currency: string;
    reason: string;
  }): Promise<BudgetChange>;
  /** `GET /cost/export`: one row per endpoint per UTC day, as CSV or FinOps FOCUS CSV. */
  exportCost(
    options: CostWindow & { format: CostExportFormat },
  ): Promise<DownloadedFile>;

  // Deployments
  /** `GET /deployments`: deployment records (of one endpoint), newest first. */
  listDeployments(options?: {
    endpoint?: string;
    limit?: number;
    /** Only revisions below this one (the next page). */
    before?: number;
  }): Promise<{ items: DeploymentRecord[] }>;
  /** `GET /deployments/{id}`: one record, to poll while it runs. */
  getDeployment(options: { id: string }): Promise<DeploymentRecord>;
  /** `GET /deployments/running`: the revision and version that run now, per endpoint. */
  getRunningDeployments(): Promise<{ items: RunningDeployment[] }>;
  /** `GET /endpoints/{namespace}/{name}/status`: what runs, from the records and the cluster. */
  getEndpointStatus(options: EndpointName): Promise<EndpointLiveStatus>;
  /**
   * `GET /slo/endpoints/{namespace}/{name}`: the endpoint's SLOs against
   * what it serves (Prometheus), with budgets, burn rates and a 6 h trend.
   */
  getEndpointSlo(options: EndpointName): Promise<EndpointSloReport>;
  /** `GET /slo`: every endpoint with SLO targets (of one team), least budget left first. */
  getSloFleet(options?: { team?: string }): Promise<SloFleetResponse>;
  /**
   * `POST /endpoints/{namespace}/{name}/promote`: move the endpoint to
   * another version; answers with the record, final or still running.
   */
  promoteEndpoint(
    options: EndpointName & PromoteRequest,
  ): Promise<DeploymentRecord>;
  /**
   * `POST /endpoints/{namespace}/{name}/rollback`: re-apply an earlier
   * revision; answers with the record, final or still running.
   */
  rollbackEndpoint(
    options: EndpointName & RollbackRequest,
  ): Promise<DeploymentRecord>;
  /**
   * `GET /endpoints/{namespace}/{name}/canary`: the endpoint's current or
   * last canary; a `ResponseError` with status 404 when it has had none.
   */
  getCanary(options: EndpointName): Promise<CanaryStatus>;
  /** `POST /endpoints/{namespace}/{name}/canary/advance`: end the current timed pause now. */
  advanceCanary(
    options: EndpointName & { reason?: string },
  ): Promise<CanaryStatus>;
  /** `POST /endpoints/{namespace}/{name}/canary/approve`: pass the current manual-approval step. */
  approveCanary(
    options: EndpointName & { reason?: string },
  ): Promise<CanaryStatus>;
  /** `POST /endpoints/{namespace}/{name}/canary/abort`: all traffic back to stable, with a reason. */
  abortCanary(
    options: EndpointName & { reason: string },
  ): Promise<CanaryStatus>;

  // Audit
  /** `GET /audit`: one page of records, newest first. */
  getAuditRecords(options?: {
    filter?: AuditFilter;
    cursor?: string;
    limit?: number;
  }): Promise<AuditPage>;
  /** `GET /audit/verify`: walk the hash chain. */
  verifyAuditChain(): Promise<AuditVerification>;
  /** `GET /audit/export`: the records matching the filter as CSV, oldest first. */
  exportAudit(options?: { filter?: AuditFilter }): Promise<DownloadedFile>;
}

/** An InferenceEndpoint by namespace and name (the path of the endpoint routes). */
export type EndpointName = { namespace: string; name: string };

/** What runs now per endpoint (`GET /deployments/running`); defined in -common. */
export type { RunningDeployment } from '@internal/plugin-ai-platform-common';

/** The ApiRef of {@link AiPlatformApi}. */
export const aiPlatformApiRef = createApiRef<AiPlatformApi>({
  id: 'plugin.ai-platform.service',
});
