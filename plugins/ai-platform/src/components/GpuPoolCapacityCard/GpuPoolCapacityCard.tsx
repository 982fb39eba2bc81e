import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, StatusOK, StatusWarning } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  gpuResourceName,
  gpusPerNode,
  isGpuPoolEntity,
  type PoolKueueStatus,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatCurrency,
  UsageBar,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { MetadataTable } from '../common/MetadataTable';
import { SimulatedClusterBadge } from '../common/SimulatedCluster';

function KueueLine(props: { status?: PoolKueueStatus; error?: Error }) {
  if (props.error) {
    return (
      <StatusWarning>{`Kueue status unavailable: ${props.error.message}`}</StatusWarning>
    );
  }
  const { status } = props;
  if (!status) return null;
  if (!status.available || !status.queue) {
    return (
      <StatusWarning>{`Not read: ${status.reason ?? 'unknown'}`}</StatusWarning>
    );
  }
  const q = status.queue;
  return (
    <>
      <StatusOK>
        {`${q.clusterQueue}: ${q.used ?? 0} of ${q.nominalQuota ?? '?'} ${
          q.resource
        } used${
          q.pendingWorkloads ? `, ${q.pendingWorkloads} workloads pending` : ''
        }`}
      </StatusOK>
      <Typography variant="caption" display="block" color="textSecondary">
        {`${q.cohort ? `Cohort ${q.cohort}; read` : 'Read'} through ${
          q.apiVersion
        }`}
      </Typography>
    </>
  );
}

/**
 * A GpuPool's capacity, the GPUs allocated to endpoints (the worst case they
 * may scale to) and free, the accelerator, the price per GPU-hour, and the
 * Kueue ClusterQueue's own view where the pool names one.
 */
export function GpuPoolCapacityCard() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const pool = isGpuPoolEntity(entity) ? entity : undefined;
  const ref = stringifyEntityRef(entity);
  const quotas = useAsync(async () => {
    const { items } = await api.getQuotas({ pool: ref });
    // null, not undefined: AsyncContent takes an undefined value for one
    // still loading, and would spin forever on a pool the backend lacks.
    return items[0] ?? null;
  }, [api, ref]);
  const hasQueue = Boolean(pool?.spec.kueue?.clusterQueue);
  const kueue = useAsync(
    async () => (hasQueue ? api.getKueueStatus({ pool: ref }) : undefined),
    [api, ref, hasQueue],
  );
  if (!pool) {
    return (
      <InfoCard title="Capacity">
        <Typography>This card shows GpuPool entities only.</Typography>
      </InfoCard>
    );
  }
  const { gpu, costPerGpuHour } = pool.spec;
  return (
    <InfoCard title="Capacity">
      <AsyncContent
        {...quotas}
        isEmpty={v => v === null}
        emptyTitle="The ai-platform backend does not know this pool yet"
      >
        {usage =>
          usage && (
            <Box mb={2}>
              <UsageBar
                label="Allocated"
                used={usage.used}
                limit={usage.capacity}
              />
              <Typography variant="body2">
                {`${usage.capacity} GPUs: ${usage.used} allocated, ${usage.free} free`}
              </Typography>
            </Box>
          )
        }
      </AsyncContent>
      <MetadataTable
        label="Pool details"
        rows={[
          ['Accelerator', `${gpu.product} (${gpu.memoryGiB} GiB)`],
          ['GPUs per node', String(gpusPerNode(gpu))],
          ['Resource', gpuResourceName(gpu)],
          ['Sharing', pool.spec.type],
          [
            'Cluster',
            <>
              {pool.spec.cluster}
              <SimulatedClusterBadge cluster={pool.spec.cluster} />
            </>,
          ],
          ['Region', pool.spec.region],
          [
            'Price per GPU-hour',
            costPerGpuHour
              ? formatCurrency(costPerGpuHour.amount, costPerGpuHour.currency)
              : 'not set',
          ],
          hasQueue && [
            'Kueue',
            kueue.loading ? (
              'reading…'
            ) : (
              <KueueLine status={kueue.value} error={kueue.error} />
            ),
          ],
        ]}
      />
    </InfoCard>
  );
}
