import type { DiscoveryService } from '@backstage/backend-plugin-api';
import {
  AiPlatformFetchClient,
  type DeploymentEvent,
  type DeploymentRecord,
  type DeployRequest,
  type EndpointLiveStatus,
  isFinalDeploymentState,
  type KubernetesManifest,
  type PromoteRequest,
  type RenderRequest,
  type RenderResponse,
  type RollbackRequest,
  type RunningDeployment,
  type SizingRequest,
  type SizingResponse,
} from '@internal/plugin-ai-platform-common';

/** Every call carries the Backstage token of whoever acts (a user's, on behalf of them). */
export type AiPlatformRequestOptions = {
  /** A Backstage token for the ai-platform plugin, e.g. from `auth.getPluginRequestToken`. */
  token: string;
};

/** An InferenceEndpoint by namespace and name, as the endpoint routes take it. */
export type EndpointName = {
  namespace: string;
  name: string;
};

/** One Kubernetes object as `POST /render` returns it. */
export type RenderedManifest = KubernetesManifest;

export type { RenderResponse, SizingRequest, SizingResponse };

/** The query of `GET /deployments`. */
export type ListDeploymentsRequest = {
  /** InferenceEndpoint entity ref. */
  endpoint?: string;
  limit?: number;
  /** Only revisions below this one (paging backwards). */
  before?: number;
};

/** Options of {@link AiPlatformClient.waitForDeployment}. */
export type WaitForDeploymentOptions = AiPlatformRequestOptions & {
  id: string;
  /** Called once for every event the record gains, in order. */
  onEvent?: (event: DeploymentEvent) => void | Promise<void>;
  /** @default 2000 */
  pollIntervalMs?: number;
  /** Give up (with an error naming the last state) after this long. @default 1_800_000 (30 minutes) */
  timeoutMs?: number;
  /** Stops waiting when aborted. */
  signal?: AbortSignal;
  /** Events already reported (e.g. from the record a deploy call returned), not reported again. @default 0 */
  eventsSeen?: number;
};

/** Thrown by {@link AiPlatformClient.waitForDeployment} when a deployment does not end in time. */
export class DeploymentWaitTimeoutError extends Error {
  readonly name = 'DeploymentWaitTimeoutError';
  constructor(readonly record: DeploymentRecord, timeoutMs: number) {
    super(
      `Deployment ${record.id} of ${record.endpointRef} is still ${
        record.state
      } after ${Math.round(
        timeoutMs / 1000,
      )} s; follow it at GET /deployments/${record.id}`,
    );
  }
}

/**
 * A typed client of the ai-platform REST API (`/api/ai-platform`) for
 * backend modules of other plugins, such as the scaffolder's. Every call
 * carries the caller's token, so that the permission check, the audit record
 * and the data land in the ai-platform plugin under the acting user. Failed
 * answers throw a `ResponseError` whose `cause.message` is the server's.
 */
export class AiPlatformClient {
  private readonly api: AiPlatformFetchClient;

  constructor(options: {
    discovery: DiscoveryService;
    /** For tests; defaults to the global fetch. */
    fetch?: typeof fetch;
  }) {
    const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.api = new AiPlatformFetchClient({
      baseUrl: () => options.discovery.getBaseUrl('ai-platform'),
      fetch: (url, init) => fetchImpl(url, init),
    });
  }

  /** Deploys (creates or updates) an endpoint: the record, final (201) or still running (202). */
  async deploy(
    request: DeployRequest,
    options: AiPlatformRequestOptions,
  ): Promise<DeploymentRecord> {
    return this.api.request('POST /deployments', {
      body: request,
      headers: authorization(options),
    });
  }

  /** Moves an endpoint to another version of its model. */
  async promote(
    request: EndpointName & PromoteRequest,
    options: AiPlatformRequestOptions,
  ): Promise<DeploymentRecord> {
    const { namespace, name, ...body } = request;
    return this.api.request('POST /endpoints/{namespace}/{name}/promote', {
      path: { namespace, name },
      body,
      headers: authorization(options),
    });
  }

  /** Restores an earlier applied revision of an endpoint. */
  async rollback(
    request: EndpointName & RollbackRequest,
    options: AiPlatformRequestOptions,
  ): Promise<DeploymentRecord> {
    const { namespace, name, ...body } = request;
    return this.api.request('POST /endpoints/{namespace}/{name}/rollback', {
      path: { namespace, name },
      body,
      headers: authorization(options),
    });
  }

  /** One deployment record, with its checks and events so far. */
  async getDeployment(
    request: { id: string },
    options: AiPlatformRequestOptions,
  ): Promise<DeploymentRecord> {
    return this.api.request('GET /deployments/{id}', {
      path: { id: request.id },
      headers: authorization(options),
    });
  }

  /** Deployment records, newest first. */
  async listDeployments(
    request: ListDeploymentsRequest,
    options: AiPlatformRequestOptions,
  ): Promise<{ items: DeploymentRecord[] }> {
    return this.api.request('GET /deployments', {
      query: request,
      headers: authorization(options),
    });
  }

  /**
   * Per endpoint the portal deployed, the revision and model version that
   * run now (its newest applied revision), from the deployment records.
   */
  async listRunningDeployments(
    options: AiPlatformRequestOptions,
  ): Promise<{ items: RunningDeployment[] }> {
    return this.api.request('GET /deployments/running', {
      headers: authorization(options),
    });
  }

  /** What runs now: the records' running version and the workload's live state. */
  async endpointStatus(
    request: EndpointName,
    options: AiPlatformRequestOptions,
  ): Promise<EndpointLiveStatus> {
    return this.api.request('GET /endpoints/{namespace}/{name}/status', {
      path: request,
      headers: authorization(options),
    });
  }

  /** The Kubernetes objects an endpoint would apply; checks and applies nothing. */
  async render(
    request: RenderRequest,
    options: AiPlatformRequestOptions,
  ): Promise<RenderResponse> {
    return this.api.request('POST /render', {
      body: request,
      headers: authorization(options),
    });
  }

  /** Sizes a model version on a pool's GPUs. */
  async size(
    request: SizingRequest,
    options: AiPlatformRequestOptions,
  ): Promise<SizingResponse> {
    return this.api.request('POST /sizing', {
      body: request,
      headers: authorization(options),
    });
  }

  /**
   * Polls a deployment until its state is final, reporting every new event
   * once, and returns the final record.
   */
  async waitForDeployment(
    options: WaitForDeploymentOptions,
  ): Promise<DeploymentRecord> {
    const pollIntervalMs = options.pollIntervalMs ?? 2000;
    const timeoutMs = options.timeoutMs ?? 1_800_000;
    const deadline = Date.now() + timeoutMs;
    let seen = options.eventsSeen ?? 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const record = await this.getDeployment(
        { id: options.id },
        { token: options.token },
      );
      for (const event of record.events.slice(seen)) {
        await options.onEvent?.(event);
      }
      seen = Math.max(seen, record.events.length);
      if (isFinalDeploymentState(record.state)) {
        return record;
      }
      if (Date.now() + pollIntervalMs > deadline) {
        throw new DeploymentWaitTimeoutError(record, timeoutMs);
      }
      await sleep(pollIntervalMs, options.signal);
    }
  }
}

/** The headers of a call on behalf of whoever the token is of. */
function authorization(options: AiPlatformRequestOptions) {
  return {
    Accept: 'application/json',
    Authorization: `Bearer ${options.token}`,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
