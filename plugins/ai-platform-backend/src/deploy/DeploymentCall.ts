import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type {
  DeploymentCallOptions,
  DeploymentRecord,
} from '@internal/plugin-ai-platform-common';
import type { Request } from 'express';

/**
 * The options every mutating call takes: those of the API
 * (`DeploymentCallOptions` in -common: dryRun, reason, the overrides, the
 * idempotency key, wait), and who calls, with the HTTP request for the
 * auditor event.
 */
export type DeploymentCall = DeploymentCallOptions & {
  credentials: BackstageCredentials;
  httpRequest?: Request;
};

/** A started deployment: its record now, and the record once final. */
export type StartedDeployment = {
  record: DeploymentRecord;
  settled: Promise<DeploymentRecord>;
};
