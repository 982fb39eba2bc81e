import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { EndpointSloReport } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { PageFrame } from '../common/PageFrame';
import { SelectField } from '../common/SelectField';
import {
  SimulatedClusterBadge,
  SimulatedClustersNote,
} from '../common/SimulatedCluster';
import {
  formatBudget,
  formatBurn,
  formatTarget,
  SLO_LABELS,
  SloStatusChip,
  worstStatus,
} from '../common/sloFormat';
import { useEntityTitles } from '../common/useEntityTitles';
import { useQueryState } from '../common/useQueryState';

/**
 * The fleet's SLOs, for a platform lead: every endpoint with targets the
 * signed-in user may read, least error budget left first, with each
 * objective's budget and burn rates, filterable by team (`?team=`). The
 * figures are the backend's, from each cluster's Prometheus (docs/slos.md).
 */
export function SloPage(props: { withHeader?: boolean }) {
  const api = useApi(aiPlatformApiRef);
  const query = useQueryState();
  const team = query.get('team');
  // All teams for the filter, then the chosen team's endpoints from the backend.
  const all = useAsync(() => api.getSloFleet(), [api]);
  const state = useAsync(
    () => (team ? api.getSloFleet({ team }) : api.getSloFleet()),
    [api, team],
  );
  const teams = [
    ...new Set((all.value?.items ?? []).map(i => i.teamRef)),
  ].sort();
  const title = useEntityTitles(teams);
  return (
    <PageFrame
      title="Service level objectives"
      subtitle="Every endpoint's SLOs against what it serves"
      withHeader={props.withHeader}
    >
      <SimulatedClustersNote />
      <Box mb={2}>
        <SelectField
          label="Team"
          value={team}
          anyLabel="All teams"
          options={teams.map(t => ({ value: t, label: title(t) }))}
          onChange={value => query.set({ team: value })}
        />
      </Box>
      <AsyncContent
        {...state}
        isEmpty={v => v.items.length === 0}
        emptyTitle="No endpoint sets SLO targets"
        emptyDescription="Set spec.slo (availability, ttftP95Ms, latencyP95Ms, itlP95Ms) on an InferenceEndpoint."
      >
        {({ items }) => <SloFleetTable items={items} />}
      </AsyncContent>
    </PageFrame>
  );
}

function SloFleetTable(props: { items: EndpointSloReport[] }) {
  return (
    <Paper>
      <Table size="small" aria-label="SLOs by endpoint">
        <TableHead>
          <TableRow>
            <TableCell>Endpoint</TableCell>
            <TableCell>Team</TableCell>
            <TableCell>Objective</TableCell>
            <TableCell>Target</TableCell>
            <TableCell>Budget left</TableCell>
            <TableCell>Burn 1 h</TableCell>
            <TableCell>Burn 6 h</TableCell>
            <TableCell>Status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.items.map(item => {
            const rows = Math.max(1, item.objectives.length);
            const first = (
              <>
                <TableCell rowSpan={rows} component="th" scope="rowgroup">
                  <EntityRefLink
                    entityRef={item.endpointRef}
                    defaultKind="InferenceEndpoint"
                    title={item.title}
                  />
                  <SimulatedClusterBadge cluster={item.cluster} />
                  <Typography variant="caption" display="block">
                    {item.source.kind === 'prometheus'
                      ? `${formatBudget(item.budgetLeft)} (worst of ${
                          item.objectives.length
                        }, ${item.windowDays} days)`
                      : item.source.reason}
                  </Typography>
                  {item.error && (
                    <Typography variant="caption" color="error" display="block">
                      {item.error}
                    </Typography>
                  )}
                </TableCell>
                <TableCell rowSpan={rows}>
                  <EntityRefLink entityRef={item.teamRef} defaultKind="Group" />
                </TableCell>
              </>
            );
            return item.objectives.map((o, i) => (
              <TableRow
                key={`${item.endpointRef}-${o.kind}`}
                data-endpoint={item.endpointRef}
                data-status={i === 0 ? worstStatus(item.objectives) : undefined}
              >
                {i === 0 && first}
                <TableCell>{SLO_LABELS[o.kind]}</TableCell>
                <TableCell>{formatTarget(o)}</TableCell>
                <TableCell>{formatBudget(o.budgetLeft)}</TableCell>
                <TableCell>{formatBurn(o.burnRate1h)}</TableCell>
                <TableCell>{formatBurn(o.burnRate6h)}</TableCell>
                <TableCell>
                  <SloStatusChip status={o.status} />
                </TableCell>
              </TableRow>
            ));
          })}
        </TableBody>
      </Table>
    </Paper>
  );
}

/** The page with its own header, for the legacy frontend system. */
export function LegacySloPage() {
  return <SloPage withHeader />;
}
