import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatTime,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  DeploymentDetails,
  DeploymentState,
  outcomeText,
} from '../DeploymentProgress';
import { EndpointCanaryCard } from '../EndpointCanaryCard';
import { EndpointDeploymentCard } from '../EndpointDeploymentCard';
import { shortRef } from '../common/entityRefs';
import { SimulatedClusterBadge } from '../common/SimulatedCluster';

const PAGE = 20;

function HistoryTable(props: { records: DeploymentRecord[] }) {
  return (
    <Table size="small" aria-label="Deployment history">
      <TableHead>
        <TableRow>
          <TableCell>Revision</TableCell>
          <TableCell>When</TableCell>
          <TableCell>Who</TableCell>
          <TableCell>What</TableCell>
          <TableCell>Version</TableCell>
          <TableCell>Outcome</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.records.map(r => (
          <TableRow key={r.id}>
            <TableCell>{r.revision}</TableCell>
            <TableCell>{formatTime(r.createdAt)}</TableCell>
            <TableCell>{shortRef(r.requestedBy)}</TableCell>
            <TableCell>
              {r.operation}
              {r.restoredRevision !== undefined &&
                ` of revision ${r.restoredRevision}`}
              {r.dryRun && ' (dry run)'}
              {r.reason && (
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="div"
                >
                  {r.reason}
                </Typography>
              )}
            </TableCell>
            <TableCell>{r.modelVersion}</TableCell>
            <TableCell>
              <DeploymentState record={r} />
              <SimulatedClusterBadge cluster={r.cluster} />
              <details>
                <summary>{outcomeText(r)}</summary>
                <DeploymentDetails record={r} />
              </details>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/**
 * The Deployments tab of an InferenceEndpoint: the live status with promote
 * and rollback, the current or last canary, and every deployment revision (who, when, which version,
 * outcome, with the checks and progress of each), newest first.
 */
export function EndpointDeploymentsContent() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const endpointRef = stringifyEntityRef(entity);
  // Revision pages: undefined is the newest page; then "below revision N".
  const [before, setBefore] = useState<number[]>([]);
  const current = before[before.length - 1];
  const page = useAsync(
    async () =>
      (
        await api.listDeployments({
          endpoint: endpointRef,
          limit: PAGE,
          before: current,
        })
      ).items,
    [api, endpointRef, current],
  );
  const oldest = page.value?.[page.value.length - 1];
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <EndpointDeploymentCard />
      </Grid>
      <Grid item xs={12}>
        <EndpointCanaryCard />
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Deployment history">
          <AsyncContent
            {...page}
            isEmpty={items => items.length === 0}
            emptyTitle="No deployments recorded"
            emptyDescription="Deploying through the golden-path template, or promoting here, records a revision."
          >
            {items => <HistoryTable records={items} />}
          </AsyncContent>
          <Box
            display="flex"
            justifyContent="flex-end"
            mt={2}
            style={{ gap: 8 }}
          >
            <Button
              variant="outlined"
              disabled={before.length === 0}
              onClick={() => setBefore(before.slice(0, -1))}
            >
              Newer
            </Button>
            <Button
              variant="outlined"
              disabled={
                !oldest ||
                (page.value?.length ?? 0) < PAGE ||
                oldest.revision <= 1
              }
              onClick={() => oldest && setBefore([...before, oldest.revision])}
            >
              Older
            </Button>
          </Box>
        </InfoCard>
      </Grid>
    </Grid>
  );
}
