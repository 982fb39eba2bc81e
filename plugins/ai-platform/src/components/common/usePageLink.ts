import { type RouteRef, useRouteRef } from '@backstage/core-plugin-api';

/**
 * The path of one of this plugin's pages, or undefined when the app does not
 * mount it (so a card can leave the link out instead of failing).
 */
export function usePageLink(routeRef: RouteRef): string | undefined {
  try {
    // Every hook inside useRouteRef has run when it throws for a missing route.
    return useRouteRef(routeRef)();
  } catch {
    return undefined;
  }
}
