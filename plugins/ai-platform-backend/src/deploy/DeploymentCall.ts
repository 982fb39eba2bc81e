import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import type { Request } from 'express';

/** The options every mutating call takes. */
export type DeploymentCall = {
  credentials: BackstageCredentials;
  dryRun?: boolean;
  reason?: string;
  overrideGates?: boolean;
  /** Deploy a deprecated model version (admins, with a reason; audited). */
  allowDeprecated?: boolean;
  /** Apply over objects the portal did not create for this endpoint (admins, with a reason; audited). */
  adopt?: boolean;
  /**
   * The caller's key of this call (the scaffolder sends task and step id):
   * a call repeated with the same key answers the first one's record and
   * starts nothing.
   */
  idempotencyKey?: string;
  /** Resolve only when the record is final. */
  wait?: boolean;
  httpRequest?: Request;
};

/** A started deployment: its record now, and the record once final. */
export type StartedDeployment = {
  record: DeploymentRecord;
  settled: Promise<DeploymentRecord>;
};
