/*
 * The audit API's shapes, as openapi.yaml describes them (the generated
 * types); the names are the ones the plugins import.
 */
import type {
  AiPlatformApiComponents,
  AiPlatformOperations,
} from '../schema/openapi/generated';

/** A stored audit record: the action, its place in the hash chain and its hash. */
export type AuditRecord = AiPlatformApiComponents['schemas']['AuditRecord'];

/** Whether a recorded action succeeded. */
export type AuditOutcome = AuditRecord['outcome'];

/**
 * Filters of an audit query; all optional, combined with AND (`from`
 * inclusive, `to` exclusive, ISO 8601 date-times with an offset).
 */
export type AuditFilter = AiPlatformOperations['GET /audit/export']['query'];

/** Answer of `GET /audit`: one page of records, newest first (`nextCursor` absent on the last page). */
export type AuditPage = AiPlatformOperations['GET /audit']['response'];

/** Answer of `GET /audit/verify`: the result of walking the chain. */
export type AuditVerification =
  AiPlatformOperations['GET /audit/verify']['response'];
