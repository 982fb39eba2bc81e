import {
  InfoCard,
  ResponseErrorPanel,
  StatusWarning,
} from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_RUNNING_MODEL_VERSION,
  gpusNeeded,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  isModelEntity,
} from '@internal/plugin-ai-platform-common';
import { StageChip } from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { MetadataTable } from '../common/MetadataTable';
import { useEntitiesByRefs } from '../common/useRelatedEntities';

/**
 * An InferenceEndpoint's model and version (with the version's stage, and
 * the version that actually runs when a promote changed it), pool and
 * cluster (the pool's, which is the truth), team, engine and resources.
 */
export function EndpointOverviewCard() {
  const { entity } = useEntity();
  const endpoint = isInferenceEndpointEntity(entity) ? entity : undefined;
  const refs = endpoint
    ? [endpoint.spec.model, endpoint.spec.gpuPool].filter(
        (r): r is string => r !== undefined,
      )
    : [];
  const related = useEntitiesByRefs(refs);
  if (!endpoint) {
    return (
      <InfoCard title="Endpoint">
        <Typography>
          This card shows InferenceEndpoint entities only.
        </Typography>
      </InfoCard>
    );
  }
  const { spec } = endpoint;
  const model = related.value?.get(spec.model);
  const pool = spec.gpuPool ? related.value?.get(spec.gpuPool) : undefined;
  const stage =
    model && isModelEntity(model)
      ? model.spec.versions.find(v => v.name === spec.modelVersion)?.stage
      : undefined;
  const running =
    endpoint.metadata.annotations?.[ANNOTATION_RUNNING_MODEL_VERSION];
  const poolCluster =
    pool && isGpuPoolEntity(pool) ? pool.spec.cluster : undefined;
  const cluster = poolCluster ?? spec.cluster;
  const r = spec.resources;
  const autoscale =
    r && (r.minReplicas !== undefined || r.maxReplicas !== undefined)
      ? ` (autoscaling ${r.minReplicas ?? r.replicas}–${
          r.maxReplicas ?? r.replicas
        })`
      : '';

  return (
    <InfoCard title="Endpoint">
      {related.error && <ResponseErrorPanel error={related.error} />}
      <MetadataTable
        label="Endpoint details"
        rows={[
          [
            'Model',
            <Box display="flex" alignItems="center" style={{ gap: 8 }}>
              <EntityRefLink entityRef={spec.model} defaultKind="Model" />
              {related.value && !model && (
                <StatusWarning>not in the catalog</StatusWarning>
              )}
            </Box>,
          ],
          [
            'Version',
            <Box display="flex" alignItems="center" style={{ gap: 8 }}>
              <span>{spec.modelVersion}</span>
              <StageChip stage={stage} />
            </Box>,
          ],
          running !== undefined &&
            running !== spec.modelVersion && [
              'Running version',
              <StatusWarning>
                {`${running} runs (promoted; the catalog YAML still says ${spec.modelVersion})`}
              </StatusWarning>,
            ],
          [
            'GPU pool',
            spec.gpuPool ? (
              <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                <EntityRefLink entityRef={spec.gpuPool} defaultKind="GpuPool" />
                {related.value && !pool && (
                  <StatusWarning>not in the catalog</StatusWarning>
                )}
              </Box>
            ) : (
              'none'
            ),
          ],
          ['Cluster', cluster ?? 'unknown'],
          poolCluster !== undefined &&
            spec.cluster !== undefined &&
            spec.cluster !== poolCluster && [
              'Cluster mismatch',
              <StatusWarning>
                {`spec.cluster says ${spec.cluster}; the pool runs in ${poolCluster}`}
              </StatusWarning>,
            ],
          ['Namespace', spec.namespace],
          [
            'Team',
            <EntityRefLink entityRef={spec.owner} defaultKind="Group" />,
          ],
          ['Engine', spec.type],
          ['Image', spec.runtime?.image],
          ['URL', spec.url],
          r && [
            'Replicas',
            `${r.replicas} × ${r.gpusPerReplica} GPU${
              r.gpusPerReplica === 1 ? '' : 's'
            }${autoscale}`,
          ],
          r && ['GPUs reserved', `${gpusNeeded(r)} (worst case)`],
        ]}
      />
    </InfoCard>
  );
}
