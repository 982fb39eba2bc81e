import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogProcessor } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_DEPLOYED_REVISION,
  ANNOTATION_RUNNING_MODEL_VERSION,
  isInferenceEndpointEntity,
} from '@internal/plugin-ai-platform-common';
import { AiPlatformClient } from '@internal/plugin-ai-platform-node';

/** What an endpoint runs, per the ai-platform deployment records. */
export type RunningRevision = { revision: number; modelVersion: string };

/** Where the processor learns what runs: the ai-platform API in the portal, a map in tests. */
export interface RunningVersionSource {
  /** Endpoint entity ref -> running revision. */
  running(): Promise<Map<string, RunningRevision>>;
}

/**
 * Reads `GET /api/ai-platform/deployments/running` through -node's
 * AiPlatformClient with the catalog's own service credentials, at most once
 * per `ttlMs`. When the ai-platform backend cannot answer, the last answer
 * stands (and is logged), so catalog processing never fails on it.
 */
export class AiPlatformRunningVersions implements RunningVersionSource {
  private cached?: { at: number; value: Map<string, RunningRevision> };
  private inFlight?: Promise<Map<string, RunningRevision>>;
  private readonly client: AiPlatformClient;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      logger: LoggerService;
      ttlMs?: number;
      now?: () => number;
    },
  ) {
    this.client = new AiPlatformClient({ discovery: options.discovery });
  }

  async running(): Promise<Map<string, RunningRevision>> {
    const now = (this.options.now ?? Date.now)();
    if (this.cached && now - this.cached.at < (this.options.ttlMs ?? 30_000)) {
      return this.cached.value;
    }
    this.inFlight ??= this.fetch(now).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetch(now: number): Promise<Map<string, RunningRevision>> {
    const { auth, logger } = this.options;
    try {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'ai-platform',
      });
      const { items } = await this.client.listRunningDeployments({ token });
      const value = new Map(
        items.map(i => [
          i.endpointRef,
          { revision: i.revision, modelVersion: i.modelVersion },
        ]),
      );
      this.cached = { at: now, value };
      return value;
    } catch (error) {
      logger.warn(
        'Could not read the running versions of inference endpoints from the ai-platform backend; keeping the last known ones',
        { error: String(error) },
      );
      const value = this.cached?.value ?? new Map();
      this.cached = { at: now, value };
      return value;
    }
  }
}

/**
 * Writes `ai-platform.io/deployed-revision` and
 * `ai-platform.io/running-model-version` on InferenceEndpoints from the
 * deployment records, and removes hand-written ones: the records are the
 * truth for what runs (architecture.md), and after a promote they differ from
 * the YAML's spec.modelVersion.
 */
export class RunningVersionProcessor implements CatalogProcessor {
  constructor(private readonly source: RunningVersionSource) {}

  getProcessorName(): string {
    return 'AiPlatformRunningVersionProcessor';
  }

  async preProcessEntity(entity: Entity): Promise<Entity> {
    if (!isInferenceEndpointEntity(entity)) {
      return entity;
    }
    const {
      [ANNOTATION_DEPLOYED_REVISION]: _revision,
      [ANNOTATION_RUNNING_MODEL_VERSION]: _version,
      ...annotations
    } = entity.metadata.annotations ?? {};
    const running = (await this.source.running()).get(
      stringifyEntityRef(entity),
    );
    if (running) {
      annotations[ANNOTATION_DEPLOYED_REVISION] = String(running.revision);
      annotations[ANNOTATION_RUNNING_MODEL_VERSION] = running.modelVersion;
    }
    return { ...entity, metadata: { ...entity.metadata, annotations } };
  }
}
