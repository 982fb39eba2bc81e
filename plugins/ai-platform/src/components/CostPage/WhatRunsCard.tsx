import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { GpuHoursBasis } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  gpuHoursBasisLabel,
  runBasisLabel,
  runStateLabel,
} from '../common/runState';

const ORDER = ['running', 'pending', 'declared-not-running', 'unknown'];

/**
 * Where the cost numbers come from: the basis of the window's GPU-hours,
 * each cluster as the collector last read it, and each endpoint's state now
 * (running with the GPUs it holds, or declared, not running: no cost), with
 * workloads that claim an endpoint of another owner (never billed to it).
 */
export function WhatRunsCard(props: { gpuHoursBasis?: GpuHoursBasis }) {
  const api = useApi(aiPlatformApiRef);
  const fleet = useAsyncRetry(() => api.getRunningFleet(), [api]);
  const basis = gpuHoursBasisLabel(props.gpuHoursBasis);
  return (
    <InfoCard title="What runs, and where the numbers come from">
      <Typography variant="body2" paragraph aria-label="Basis of the GPU-hours">
        Cost = GPU-hours held by bound pods in the clusters × the pool's price
        per GPU-hour; tokens and utilisation from Prometheus, per pod.
        {basis ? ` GPU-hours of this window: ${basis}.` : ''}
      </Typography>
      <AsyncContent
        {...fleet}
        isEmpty={v => v.endpoints.length === 0}
        emptyTitle="No endpoints in the catalog"
        emptyDescription="Register InferenceEndpoint entities with spec.gpuPool and spec.resources."
      >
        {value => (
          <>
            {value.clusters.map(c => (
              <Typography variant="body2" key={c.cluster}>
                {c.cluster}: {runBasisLabel(c.basis, c.observedAt)}
                {c.failure ? ` — ${c.failure}` : ''}
              </Typography>
            ))}
            <Table size="small" aria-label="What runs of each endpoint">
              <TableHead>
                <TableRow>
                  <TableCell>Endpoint</TableCell>
                  <TableCell>State</TableCell>
                  <TableCell align="right">GPUs held now</TableCell>
                  <TableCell>Basis</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {[...value.endpoints]
                  .sort(
                    (a, b) =>
                      ORDER.indexOf(a.state) - ORDER.indexOf(b.state) ||
                      a.endpointRef.localeCompare(b.endpointRef),
                  )
                  .map(e => (
                    <TableRow key={e.endpointRef}>
                      <TableCell>
                        <EntityRefLink
                          entityRef={e.endpointRef}
                          defaultKind="InferenceEndpoint"
                          title={e.title}
                        />
                      </TableCell>
                      <TableCell>
                        {runStateLabel(e.state)}
                        {e.state === 'declared-not-running' ? ' (no cost)' : ''}
                        {e.origin === 'outside-portal'
                          ? ' · deployed outside the portal'
                          : ''}
                      </TableCell>
                      <TableCell align="right">{e.gpus}</TableCell>
                      <TableCell>
                        {runBasisLabel(e.basis, e.observedAt)}
                      </TableCell>
                    </TableRow>
                  ))}
              </TableBody>
            </Table>
            {value.foreignClaims.length > 0 && (
              <Typography variant="body2" color="error" component="div">
                Claims by another owner (not billed to the endpoint):
                <ul>
                  {value.foreignClaims.map(c => (
                    <li key={`${c.cluster}/${c.namespace}/${c.workload}`}>
                      {c.cluster}/{c.namespace}/{c.workload} names{' '}
                      {c.claimedOwner}, but {c.endpointRef} is owned by{' '}
                      {c.endpointOwner} ({c.gpus} GPUs)
                    </li>
                  ))}
                </ul>
              </Typography>
            )}
          </>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
