import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { AiPlatformFetchClient } from '@internal/plugin-ai-platform-common';
import type {
  AiPlatformCallOptions,
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
} from '@internal/plugin-ai-platform-common';
import type {
  AiPlatformApi,
  CostWindow,
  DownloadedFile,
  EndpointName,
  RunningDeployment,
} from './AiPlatformApi';

/** Reads the file name out of a `Content-Disposition` header. */
function filenameOf(response: Response, fallback: string): string {
  const header = response.headers.get('content-disposition') ?? '';
  const match = /filename="?([^";]+)"?/i.exec(header);
  return match?.[1] ?? fallback;
}

/**
 * The {@link AiPlatformApi} over HTTP: finds the backend through the
 * discovery API and calls it through the fetch API, which adds the signed-in
 * user's token.
 */
export class AiPlatformClient implements AiPlatformApi {
  private readonly api: AiPlatformFetchClient;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.api = new AiPlatformFetchClient({
      baseUrl: () => options.discoveryApi.getBaseUrl('ai-platform'),
      fetch: (url, init) => options.fetchApi.fetch(url, init),
    });
  }

  listEvalRuns(options: {
    model: string;
    version?: string;
    limit?: number;
  }): Promise<EvalRunsResponse> {
    return this.api.request('GET /evals/runs', { query: options });
  }

  getEvalScores(options: {
    model: string;
    version: string;
  }): Promise<EvalScoresResponse> {
    return this.api.request('GET /evals/scores', { query: options });
  }

  getEvalHistory(options: {
    model: string;
    task: string;
    metric: string;
  }): Promise<EvalHistoryResponse> {
    return this.api.request('GET /evals/history', { query: options });
  }

  compareEvals(options: {
    model: string;
    a: string;
    b: string;
    modelB?: string;
  }): Promise<EvalComparison> {
    return this.api.request('GET /evals/compare', { query: options });
  }

  getLeaderboard(
    options: { type?: string; task?: string; stage?: ModelStage } = {},
  ): Promise<EvalLeaderboardResponse> {
    return this.api.request('GET /evals/leaderboard', { query: options });
  }

  getGateStatus(options: {
    model: string;
    version: string;
  }): Promise<ModelGateStatus> {
    return this.api.request('GET /gates', { query: options });
  }

  getQuotas(
    options: { pool?: string; team?: string } = {},
  ): Promise<QuotasResponse> {
    return this.api.request('GET /quotas', { query: options });
  }

  checkQuota(options: {
    team: string;
    pool: string;
    gpus: number;
    endpoint?: string;
  }): Promise<QuotaCheck> {
    return this.api.request('GET /quotas/check', { query: options });
  }

  getKueueStatus(options: { pool: string }): Promise<PoolKueueStatus> {
    return this.api.request('GET /quotas/kueue', { query: options });
  }

  getQuotaUsage(
    options: { pool?: string; team?: string } = {},
  ): Promise<QuotaUsageResponse> {
    return this.api.request('GET /quotas/usage', { query: options });
  }

  getRunningFleet(
    options: { endpoint?: string } = {},
  ): Promise<RunningFleetResponse> {
    return this.api.request('GET /fleet/running', { query: options });
  }

  listQuotaRequests(
    options: { state?: QuotaRequestState; team?: string; pool?: string } = {},
  ): Promise<QuotaRequestsResponse> {
    return this.api.request('GET /quota-requests', { query: options });
  }

  createQuotaRequest(options: {
    team: string;
    pool: string;
    gpus: number;
    reason: string;
  }): Promise<QuotaRequest> {
    return this.api.request('POST /quota-requests', { body: options });
  }

  decideQuotaRequest(options: {
    id: string;
    decision: 'approve' | 'reject';
    reason: string;
  }): Promise<QuotaRequestDecision> {
    const { id, ...body } = options;
    return this.api.request('POST /quota-requests/{id}/decision', {
      path: { id },
      body,
    });
  }

  getCostSummary(
    options: CostWindow & {
      groupBy?: CostGroupBy;
      granularity?: CostGranularity;
    },
  ): Promise<CostSummary> {
    return this.api.request('GET /cost/summary', { query: options });
  }

  getTopSpenders(
    options: CostWindow & { groupBy?: CostGroupBy; limit?: number },
  ): Promise<CostTopSpenders> {
    return this.api.request('GET /cost/top', { query: options });
  }

  getMonthOverMonth(
    options: { month?: string; groupBy?: CostGroupBy } = {},
  ): Promise<MonthOverMonth> {
    return this.api.request('GET /cost/month-over-month', { query: options });
  }

  getCostForecast(
    options: { groupBy?: CostGroupBy } = {},
  ): Promise<MonthForecast> {
    return this.api.request('GET /cost/forecast', { query: options });
  }

  getBudgets(options: { month?: string } = {}): Promise<BudgetsResponse> {
    return this.api.request('GET /cost/budgets', { query: options });
  }

  setBudget(options: {
    team: string;
    month: string;
    amount: number;
    currency: string;
    reason: string;
  }): Promise<BudgetChange> {
    return this.api.request('PUT /cost/budgets', { body: options });
  }

  exportCost(
    options: CostWindow & { format: CostExportFormat },
  ): Promise<DownloadedFile> {
    return this.download(
      'GET /cost/export',
      { query: options },
      `cost-${options.format}.csv`,
    );
  }

  listDeployments(
    options: { endpoint?: string; limit?: number; before?: number } = {},
  ): Promise<{ items: DeploymentRecord[] }> {
    return this.api.request('GET /deployments', { query: options });
  }

  getDeployment(options: { id: string }): Promise<DeploymentRecord> {
    return this.api.request('GET /deployments/{id}', { path: options });
  }

  getRunningDeployments(): Promise<{ items: RunningDeployment[] }> {
    return this.api.request('GET /deployments/running', {});
  }

  getEndpointStatus(options: EndpointName): Promise<EndpointLiveStatus> {
    return this.api.request('GET /endpoints/{namespace}/{name}/status', {
      path: options,
    });
  }

  getEndpointSlo(options: EndpointName): Promise<EndpointSloReport> {
    return this.api.request('GET /slo/endpoints/{namespace}/{name}', {
      path: options,
    });
  }

  getSloFleet(options: { team?: string } = {}): Promise<SloFleetResponse> {
    return this.api.request('GET /slo', { query: options });
  }

  promoteEndpoint(
    options: EndpointName & PromoteRequest,
  ): Promise<DeploymentRecord> {
    const { namespace, name, ...body } = options;
    return this.api.request('POST /endpoints/{namespace}/{name}/promote', {
      path: { namespace, name },
      body,
    });
  }

  rollbackEndpoint(
    options: EndpointName & RollbackRequest,
  ): Promise<DeploymentRecord> {
    const { namespace, name, ...body } = options;
    return this.api.request('POST /endpoints/{namespace}/{name}/rollback', {
      path: { namespace, name },
      body,
    });
  }

  getCanary(options: EndpointName): Promise<CanaryStatus> {
    return this.api.request('GET /endpoints/{namespace}/{name}/canary', {
      path: options,
    });
  }

  advanceCanary(
    options: EndpointName & { reason?: string },
  ): Promise<CanaryStatus> {
    const { namespace, name, ...body } = options;
    return this.api.request(
      'POST /endpoints/{namespace}/{name}/canary/advance',
      {
        path: { namespace, name },
        body,
      },
    );
  }

  approveCanary(
    options: EndpointName & { reason?: string },
  ): Promise<CanaryStatus> {
    const { namespace, name, ...body } = options;
    return this.api.request(
      'POST /endpoints/{namespace}/{name}/canary/approve',
      {
        path: { namespace, name },
        body,
      },
    );
  }

  abortCanary(
    options: EndpointName & { reason: string },
  ): Promise<CanaryStatus> {
    const { namespace, name, ...body } = options;
    return this.api.request('POST /endpoints/{namespace}/{name}/canary/abort', {
      path: { namespace, name },
      body,
    });
  }

  getAuditRecords(
    options: { filter?: AuditFilter; cursor?: string; limit?: number } = {},
  ): Promise<AuditPage> {
    const { filter, ...rest } = options;
    return this.api.request('GET /audit', { query: { ...filter, ...rest } });
  }

  verifyAuditChain(): Promise<AuditVerification> {
    return this.api.request('GET /audit/verify', {});
  }

  exportAudit(options: { filter?: AuditFilter } = {}): Promise<DownloadedFile> {
    return this.download(
      'GET /audit/export',
      { query: { ...options.filter } },
      'ai-platform-audit.csv',
    );
  }

  private async download<K extends 'GET /cost/export' | 'GET /audit/export'>(
    operation: K,
    options: AiPlatformCallOptions<K>,
    fallbackName: string,
  ): Promise<DownloadedFile> {
    const response = await this.api.fetch(operation, options);
    return {
      filename: filenameOf(response, fallbackName),
      blob: await response.blob(),
    };
  }
}
