/**
 * The ai-platform frontend plugin: entity cards and tabs for models,
 * inference endpoints and GPU pools, and the evals, quotas, cost and audit
 * pages.
 *
 * This entry point holds the legacy frontend system's exports; the new
 * frontend system's plugin is the default export of
 * `@internal/plugin-ai-platform/alpha`.
 *
 * @packageDocumentation
 */

export * from './plugin';
export {
  auditRouteRef,
  costRouteRef,
  evalsRouteRef,
  quotasRouteRef,
  sloRouteRef,
} from './routes';
