import { InfoCard, ResponseErrorPanel } from '@backstage/core-components';
import type { Entity } from '@backstage/catalog-model';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_RUNNING_MODEL_VERSION,
  isInferenceEndpointEntity,
  isModelEntity,
  RELATION_SERVED_BY,
} from '@internal/plugin-ai-platform-common';
import { StageChip } from '@internal/plugin-ai-platform-react';
import CircularProgress from '@material-ui/core/CircularProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useRelatedEntities } from '../common/useRelatedEntities';

/**
 * The model version an endpoint runs: the deployment records' running
 * version (an annotation they write) when there is one, else the YAML's.
 */
export function servedVersion(endpoint: Entity): string | undefined {
  if (!isInferenceEndpointEntity(endpoint)) return undefined;
  return (
    endpoint.metadata.annotations?.[ANNOTATION_RUNNING_MODEL_VERSION] ??
    endpoint.spec.modelVersion
  );
}

/**
 * A Model's versions with their stage, precision and source, and the
 * endpoints that serve each one.
 */
export function ModelVersionsCard() {
  const { entity } = useEntity();
  const endpoints = useRelatedEntities(entity, RELATION_SERVED_BY);
  if (!isModelEntity(entity)) {
    return (
      <InfoCard title="Versions">
        <Typography>This card shows Model entities only.</Typography>
      </InfoCard>
    );
  }
  const servingOf = (version: string) =>
    (endpoints.value ?? []).filter(e => servedVersion(e) === version);

  return (
    <InfoCard title="Versions">
      {endpoints.error && <ResponseErrorPanel error={endpoints.error} />}
      <Table size="small" aria-label="Model versions">
        <TableHead>
          <TableRow>
            <TableCell>Version</TableCell>
            <TableCell>Stage</TableCell>
            <TableCell>Precision</TableCell>
            <TableCell>Source</TableCell>
            <TableCell>Served by</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entity.spec.versions.map(version => {
            const serving = servingOf(version.name);
            return (
              <TableRow key={version.name}>
                <TableCell component="th" scope="row">
                  {version.name}
                </TableCell>
                <TableCell>
                  <StageChip stage={version.stage} />
                </TableCell>
                <TableCell>
                  {version.quantization ?? version.dtype ?? '—'}
                </TableCell>
                <TableCell>
                  <Typography variant="body2">
                    {version.source ?? entity.spec.source ?? '—'}
                  </Typography>
                  {version.revision && (
                    <Typography variant="caption" color="textSecondary">
                      {`revision ${version.revision.slice(0, 12)}`}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  {endpoints.loading && (
                    <CircularProgress
                      size={16}
                      aria-label="Loading endpoints"
                    />
                  )}
                  {endpoints.error && (
                    <Typography variant="body2" color="textSecondary">
                      unknown
                    </Typography>
                  )}
                  {!endpoints.loading &&
                    !endpoints.error &&
                    serving.length === 0 && (
                      <Typography variant="body2" color="textSecondary">
                        no endpoint
                      </Typography>
                    )}
                  {serving.map(e => (
                    <div key={e.metadata.name}>
                      <EntityRefLink entityRef={e} />
                    </div>
                  ))}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </InfoCard>
  );
}
