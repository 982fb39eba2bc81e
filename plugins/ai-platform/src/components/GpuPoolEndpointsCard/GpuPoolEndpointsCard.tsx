import { InfoCard } from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  gpusNeeded,
  isInferenceEndpointEntity,
  RELATION_HOSTS,
} from '@internal/plugin-ai-platform-common';
import { AsyncContent } from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { servedVersion } from '../ModelVersionsCard/ModelVersionsCard';
import { useRelatedEntities } from '../common/useRelatedEntities';

/** The endpoints running on a GpuPool, with their model, team and GPUs. */
export function GpuPoolEndpointsCard() {
  const { entity } = useEntity();
  const state = useRelatedEntities(entity, RELATION_HOSTS);
  return (
    <InfoCard title="Endpoints on this pool">
      <AsyncContent
        {...state}
        isEmpty={v => v.length === 0}
        emptyTitle="No endpoint runs on this pool"
        emptyDescription="An InferenceEndpoint names its pool in spec.gpuPool."
      >
        {endpoints => (
          <Table size="small" aria-label="Endpoints on this pool">
            <TableHead>
              <TableRow>
                <TableCell>Endpoint</TableCell>
                <TableCell>Model</TableCell>
                <TableCell>Version</TableCell>
                <TableCell>Team</TableCell>
                <TableCell align="right">GPUs reserved</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {endpoints.filter(isInferenceEndpointEntity).map(e => (
                <TableRow key={e.metadata.name}>
                  <TableCell>
                    <EntityRefLink entityRef={e} />
                  </TableCell>
                  <TableCell>
                    <EntityRefLink
                      entityRef={e.spec.model}
                      defaultKind="Model"
                    />
                  </TableCell>
                  <TableCell>{servedVersion(e)}</TableCell>
                  <TableCell>
                    <EntityRefLink
                      entityRef={e.spec.owner}
                      defaultKind="Group"
                    />
                  </TableCell>
                  <TableCell align="right">
                    {e.spec.resources ? gpusNeeded(e.spec.resources) : '—'}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
