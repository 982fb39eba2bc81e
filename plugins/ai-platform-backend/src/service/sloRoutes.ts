import { stringifyEntityRef } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import type express from 'express';
import type { SloService } from '../slo/SloService';
import { requirePermission } from './requirePermission';
import type { RouteContext } from './routeContext';
import { refineInput, specInput } from './validate';

/**
 * The SLO routes (read-only): one endpoint's SLOs against what it serves,
 * with its trend, and the fleet's, least budget left first. The catalog,
 * read with the caller's credentials, decides which endpoints exist for
 * them (404 otherwise); reading one also asks for the catalog's own
 * `catalog.entity.read` on it, as the endpoint page does (403 when denied).
 */
export function addSloRoutes(
  router: express.Router,
  options: RouteContext & { slos: SloService },
) {
  const { slos, permissions } = options;

  router.get('/slo', async (req, res) => {
    const credentials = await options.credentialsOf(req);
    const query = refineInput('query', specInput(req, 'GET /slo').query, {
      refs: { team: 'Group' },
    });
    res.json(await slos.fleet({ team: query.team, credentials }));
  });

  router.get('/slo/endpoints/:namespace/:name', async (req, res) => {
    const credentials = await options.credentialsOf(req);
    const params = specInput(req, 'GET /slo/endpoints/{namespace}/{name}').path;
    const endpointRef = stringifyEntityRef({
      kind: 'InferenceEndpoint',
      namespace: params.namespace.toLocaleLowerCase('en-US'),
      name: params.name,
    });
    await requirePermission({
      permissions,
      credentials,
      permission: catalogEntityReadPermission,
      resourceRef: endpointRef,
    });
    res.json(await slos.endpoint({ endpointRef, credentials }));
  });
}
