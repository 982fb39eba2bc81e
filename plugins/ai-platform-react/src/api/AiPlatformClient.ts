import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
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
} from '@internal/plugin-ai-platform-common';
import type {
  AiPlatformApi,
  CostWindow,
  DownloadedFile,
  EndpointName,
  RunningDeployment,
} from './AiPlatformApi';

type QueryValue = string | number | undefined;

/** Reads the file name out of a `Content-Disposition` header. */
function filenameOf(response: Response, fallback: string): string {
  const header = response.headers.get('content-disposition') ?? '';
  const match = /filename="?([^";]+)"?/i.exec(header);
  return match?.[1] ?? fallback;
}

/** The path of an endpoint's routes, e.g. `/endpoints/default/chat`. */
function endpointPath(endpoint: EndpointName): string {
  return `/endpoints/${encodeURIComponent(
    endpoint.namespace,
  )}/${encodeURIComponent(endpoint.name)}`;
}

/**
 * The {@link AiPlatformApi} over HTTP: finds the backend through the
 * discovery API and calls it through the fetch API, which adds the signed-in
 * user's token.
 */
export class AiPlatformClient implements AiPlatformApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  listEvalRuns(options: {
    model: string;
    version?: string;
    limit?: number;
  }): Promise<EvalRunsResponse> {
    return this.request('/evals/runs', { query: options });
  }

  getEvalScores(options: {
    model: string;
    version: string;
  }): Promise<EvalScoresResponse> {
    return this.request('/evals/scores', { query: options });
  }

  getEvalHistory(options: {
    model: string;
    task: string;
    metric: string;
  }): Promise<EvalHistoryResponse> {
    return this.request('/evals/history', { query: options });
  }

  compareEvals(options: {
    model: string;
    a: string;
    b: string;
    modelB?: string;
  }): Promise<EvalComparison> {
    return this.request('/evals/compare', { query: options });
  }

  getLeaderboard(
    options: { type?: string; task?: string; stage?: ModelStage } = {},
  ): Promise<EvalLeaderboardResponse> {
    return this.request('/evals/leaderboard', { query: options });
  }

  getGateStatus(options: {
    model: string;
    version: string;
  }): Promise<ModelGateStatus> {
    return this.request('/gates', { query: options });
  }

  getQuotas(
    options: { pool?: string; team?: string } = {},
  ): Promise<QuotasResponse> {
    return this.request('/quotas', { query: options });
  }

  checkQuota(options: {
    team: string;
    pool: string;
    gpus: number;
    endpoint?: string;
  }): Promise<QuotaCheck> {
    return this.request('/quotas/check', { query: options });
  }

  getKueueStatus(options: { pool: string }): Promise<PoolKueueStatus> {
    return this.request('/quotas/kueue', { query: options });
  }

  getQuotaUsage(
    options: { pool?: string; team?: string } = {},
  ): Promise<QuotaUsageResponse> {
    return this.request('/quotas/usage', { query: options });
  }

  getRunningFleet(
    options: { endpoint?: string } = {},
  ): Promise<RunningFleetResponse> {
    return this.request('/fleet/running', { query: options });
  }

  listQuotaRequests(
    options: { state?: QuotaRequestState; team?: string; pool?: string } = {},
  ): Promise<QuotaRequestsResponse> {
    return this.request('/quota-requests', { query: options });
  }

  createQuotaRequest(options: {
    team: string;
    pool: string;
    gpus: number;
    reason: string;
  }): Promise<QuotaRequest> {
    return this.request('/quota-requests', { method: 'POST', body: options });
  }

  decideQuotaRequest(options: {
    id: string;
    decision: 'approve' | 'reject';
    reason: string;
  }): Promise<QuotaRequestDecision> {
    const { id, ...body } = options;
    return this.request(`/quota-requests/${encodeURIComponent(id)}/decision`, {
      method: 'POST',
      body,
    });
  }

  getCostSummary(
    options: CostWindow & {
      groupBy?: CostGroupBy;
      granularity?: CostGranularity;
    },
  ): Promise<CostSummary> {
    return this.request('/cost/summary', { query: options });
  }

  getTopSpenders(
    options: CostWindow & { groupBy?: CostGroupBy; limit?: number },
  ): Promise<CostTopSpenders> {
    return this.request('/cost/top', { query: options });
  }

  getMonthOverMonth(
    options: { month?: string; groupBy?: CostGroupBy } = {},
  ): Promise<MonthOverMonth> {
    return this.request('/cost/month-over-month', { query: options });
  }

  getCostForecast(
    options: { groupBy?: CostGroupBy } = {},
  ): Promise<MonthForecast> {
    return this.request('/cost/forecast', { query: options });
  }

  getBudgets(options: { month?: string } = {}): Promise<BudgetsResponse> {
    return this.request('/cost/budgets', { query: options });
  }

  setBudget(options: {
    team: string;
    month: string;
    amount: number;
    currency: string;
    reason: string;
  }): Promise<BudgetChange> {
    return this.request('/cost/budgets', { method: 'PUT', body: options });
  }

  exportCost(
    options: CostWindow & { format: CostExportFormat },
  ): Promise<DownloadedFile> {
    return this.download('/cost/export', options, `cost-${options.format}.csv`);
  }

  listDeployments(
    options: { endpoint?: string; limit?: number; before?: number } = {},
  ): Promise<{ items: DeploymentRecord[] }> {
    return this.request('/deployments', { query: options });
  }

  getDeployment(options: { id: string }): Promise<DeploymentRecord> {
    return this.request(`/deployments/${encodeURIComponent(options.id)}`);
  }

  getRunningDeployments(): Promise<{ items: RunningDeployment[] }> {
    return this.request('/deployments/running');
  }

  getEndpointStatus(options: EndpointName): Promise<EndpointLiveStatus> {
    return this.request(`${endpointPath(options)}/status`);
  }

  getEndpointSlo(options: EndpointName): Promise<EndpointSloReport> {
    return this.request(`/slo${endpointPath(options)}`);
  }

  getSloFleet(options: { team?: string } = {}): Promise<SloFleetResponse> {
    return this.request('/slo', { query: options });
  }

  promoteEndpoint(
    options: EndpointName & PromoteRequest,
  ): Promise<DeploymentRecord> {
    const { namespace, name, ...body } = options;
    return this.request(`${endpointPath({ namespace, name })}/promote`, {
      method: 'POST',
      body,
    });
  }

  rollbackEndpoint(
    options: EndpointName & RollbackRequest,
  ): Promise<DeploymentRecord> {
    const { namespace, name, ...body } = options;
    return this.request(`${endpointPath({ namespace, name })}/rollback`, {
      method: 'POST',
      body,
    });
  }

  getCanary(options: EndpointName): Promise<CanaryStatus> {
    return this.request(`${endpointPath(options)}/canary`);
  }

  advanceCanary(
    options: EndpointName & { reason?: string },
  ): Promise<CanaryStatus> {
    const { namespace, name, ...body } = options;
    return this.request(`${endpointPath({ namespace, name })}/canary/advance`, {
      method: 'POST',
      body,
    });
  }

  approveCanary(
    options: EndpointName & { reason?: string },
  ): Promise<CanaryStatus> {
    const { namespace, name, ...body } = options;
    return this.request(`${endpointPath({ namespace, name })}/canary/approve`, {
      method: 'POST',
      body,
    });
  }

  abortCanary(
    options: EndpointName & { reason: string },
  ): Promise<CanaryStatus> {
    const { namespace, name, ...body } = options;
    return this.request(`${endpointPath({ namespace, name })}/canary/abort`, {
      method: 'POST',
      body,
    });
  }

  getAuditRecords(
    options: { filter?: AuditFilter; cursor?: string; limit?: number } = {},
  ): Promise<AuditPage> {
    const { filter, ...rest } = options;
    return this.request('/audit', { query: { ...filter, ...rest } });
  }

  verifyAuditChain(): Promise<AuditVerification> {
    return this.request('/audit/verify');
  }

  exportAudit(options: { filter?: AuditFilter } = {}): Promise<DownloadedFile> {
    return this.download(
      '/audit/export',
      { ...options.filter },
      'ai-platform-audit.csv',
    );
  }

  private async url(
    path: string,
    query: { [key: string]: QueryValue } = {},
  ): Promise<string> {
    const base = await this.discoveryApi.getBaseUrl('ai-platform');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') {
        params.append(key, String(value));
      }
    }
    const search = params.toString();
    return `${base}${path}${search ? `?${search}` : ''}`;
  }

  private async fetch(
    path: string,
    options: {
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
      query?: { [key: string]: QueryValue };
      body?: unknown;
    },
  ): Promise<Response> {
    const response = await this.fetchApi.fetch(
      await this.url(path, options.query),
      {
        method: options.method ?? 'GET',
        ...(options.body === undefined
          ? {}
          : {
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(options.body),
            }),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  private async request<T>(
    path: string,
    options: {
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
      query?: { [key: string]: QueryValue };
      body?: unknown;
    } = {},
  ): Promise<T> {
    const response = await this.fetch(path, options);
    return (await response.json()) as T;
  }

  private async download(
    path: string,
    query: { [key: string]: QueryValue },
    fallbackName: string,
  ): Promise<DownloadedFile> {
    const response = await this.fetch(path, { query });
    return {
      filename: filenameOf(response, fallbackName),
      blob: await response.blob(),
    };
  }
}
