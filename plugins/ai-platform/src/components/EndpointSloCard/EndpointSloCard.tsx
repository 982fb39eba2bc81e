import { EmptyState, InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  type EndpointSloReport,
  type InferenceEndpointSlo,
  isInferenceEndpointEntity,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatNumber,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFigure, seriesColor, useChartTheme } from '../charts';
import { MetadataTable } from '../common/MetadataTable';
import { SimulatedClusterBadge } from '../common/SimulatedCluster';
import {
  basisOf,
  formatBudget,
  formatBurn,
  formatPercent,
  formatTarget,
  SLO_LABELS,
  SloStatusChip,
} from '../common/sloFormat';
import { usePageLink } from '../common/usePageLink';
import { sloRouteRef } from '../../routes';

const hasTargets = (slo: InferenceEndpointSlo | undefined) =>
  !!slo &&
  [slo.availability, slo.ttftP95Ms, slo.latencyP95Ms, slo.itlP95Ms].some(
    v => v !== undefined,
  );

const ms = (v: number | undefined) =>
  v === undefined ? undefined : `${formatNumber(v, 1)} ms`;

/**
 * An InferenceEndpoint's SLOs against what it serves: per objective the
 * target, the current p95 (or error rate), the budget left over the window
 * and the burn rates over 1 h and 6 h; what it serves now (request rate,
 * error rate, waiting requests, KV-cache usage); a 6 h trend. Every figure
 * is the backend's, read from Prometheus (docs/slos.md); without Prometheus
 * the card says how to enable it.
 */
export function EndpointSloCard() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const sloLink = usePageLink(sloRouteRef);
  const slo = isInferenceEndpointEntity(entity) ? entity.spec.slo : undefined;
  const targets = hasTargets(slo);
  const namespace = entity.metadata.namespace ?? 'default';
  const name = entity.metadata.name;
  const state = useAsync(async (): Promise<EndpointSloReport> => {
    if (!targets) throw new Error('The endpoint sets no SLO targets');
    return api.getEndpointSlo({ namespace, name });
  }, [api, namespace, name, targets]);
  return (
    <InfoCard
      title="Service level objectives"
      deepLink={sloLink ? { title: 'All SLOs', link: sloLink } : undefined}
    >
      {!targets ? (
        <EmptyState
          missing="field"
          title="No SLO targets"
          description="Set spec.slo (ttftP95Ms, latencyP95Ms, itlP95Ms, availability, windowDays) on the endpoint."
        />
      ) : (
        <AsyncContent {...state}>
          {report => <SloReport report={report} />}
        </AsyncContent>
      )}
    </InfoCard>
  );
}

function SloReport(props: { report: EndpointSloReport }) {
  const { report } = props;
  const current = report.current ?? {};
  const currentOf = (kind: string) => {
    switch (kind) {
      case 'ttft':
        return ms(current.ttftP95Ms);
      case 'latency':
        return ms(current.latencyP95Ms);
      case 'itl':
        return ms(current.itlP95Ms);
      default:
        return current.errorRate !== undefined
          ? `${formatPercent(1 - current.errorRate, 3)} (5 min)`
          : undefined;
    }
  };
  return (
    <>
      {report.source.kind === 'none' && (
        <Alert severity="info" aria-label="No SLO figures">
          {report.source.reason}
        </Alert>
      )}
      {report.error && <Alert severity="warning">{report.error}</Alert>}
      <Table size="small" aria-label="SLOs">
        <TableHead>
          <TableRow>
            <TableCell>Objective</TableCell>
            <TableCell>Target</TableCell>
            <TableCell>Now</TableCell>
            <TableCell>{`Budget (${report.windowDays} days)`}</TableCell>
            <TableCell>Burn 1 h</TableCell>
            <TableCell>Burn 6 h</TableCell>
            <TableCell>Status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {report.objectives.map(o => (
            <TableRow key={o.kind} data-objective={o.kind}>
              <TableCell component="th" scope="row">
                {SLO_LABELS[o.kind]}
              </TableCell>
              <TableCell>
                {formatTarget(o)}
                {o.boundaryMs !== undefined && o.boundaryMs !== o.target && (
                  <Typography variant="caption" display="block">
                    {`counted under the ${formatNumber(
                      o.boundaryMs,
                      1,
                    )} ms bucket`}
                  </Typography>
                )}
              </TableCell>
              <TableCell data-figure="current">
                {currentOf(o.kind) ?? '–'}
              </TableCell>
              <TableCell data-figure="budget">
                {formatBudget(o.budgetLeft)}
                {o.window.total > 0 && (
                  <Typography variant="caption" display="block">
                    {`${formatNumber(o.window.bad, 0)} of ${formatNumber(
                      o.window.allowedBad,
                      o.window.allowedBad < 10 ? 2 : 0,
                    )} allowed`}
                  </Typography>
                )}
              </TableCell>
              <TableCell data-figure="burn1h">
                {formatBurn(o.burnRate1h)}
              </TableCell>
              <TableCell data-figure="burn6h">
                {formatBurn(o.burnRate6h)}
              </TableCell>
              <TableCell>
                <SloStatusChip status={o.status} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {report.source.kind === 'prometheus' && (
        <Box mt={2}>
          <MetadataTable
            label="Serving now"
            rows={[
              [
                'Request rate',
                current.requestRate !== undefined
                  ? `${formatNumber(current.requestRate, 2)} req/s`
                  : undefined,
              ],
              [
                'Error rate (5xx)',
                current.errorRate !== undefined
                  ? formatPercent(current.errorRate, 3)
                  : undefined,
              ],
              [
                'Waiting requests',
                current.requestsWaiting !== undefined
                  ? formatNumber(current.requestsWaiting, 0)
                  : undefined,
              ],
              [
                'Running requests',
                current.requestsRunning !== undefined
                  ? formatNumber(current.requestsRunning, 0)
                  : undefined,
              ],
              [
                'KV-cache usage (fullest pod)',
                current.kvCacheUsage !== undefined
                  ? formatPercent(current.kvCacheUsage, 1)
                  : undefined,
              ],
              [
                'Basis',
                <>
                  {basisOf(report.source)}
                  <SimulatedClusterBadge cluster={report.cluster} />
                </>,
              ],
              ['Pods', report.source.selector],
            ]}
          />
        </Box>
      )}
      {report.trend && report.trend.length > 1 && (
        <SloTrend trend={report.trend} />
      )}
      {report.trend && report.trend.length <= 1 && (
        <Box mt={2}>
          <Typography variant="body2" color="textSecondary">
            No trend yet: the last 6 hours hold fewer than two 15-minute points
            of its metrics (a new deployment has none before then).
          </Typography>
        </Box>
      )}
    </>
  );
}

function SloTrend(props: { trend: NonNullable<EndpointSloReport['trend']> }) {
  const chart = useChartTheme();
  const data = props.trend.map(p => ({
    ...p,
    time: new Date(p.t * 1000).toISOString().slice(11, 16),
  }));
  return (
    <Box mt={2}>
      <ChartFigure
        label="p95 latencies, last 6 hours (ms)"
        caption
        height={160}
      >
        {size => (
          <LineChart
            {...size}
            data={data}
            accessibilityLayer
            margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
          >
            <CartesianGrid stroke={chart.grid} vertical={false} />
            <XAxis dataKey="time" {...chart.axis} minTickGap={24} />
            <YAxis {...chart.axis} width={56} />
            <Tooltip {...chart.lineTooltip} />
            <Legend {...chart.legend} />
            <Line
              dataKey="ttftP95Ms"
              name="TTFT p95"
              stroke={seriesColor(0)}
              dot={false}
              isAnimationActive={false}
            />
            <Line
              dataKey="latencyP95Ms"
              name="Latency p95"
              stroke={seriesColor(1)}
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        )}
      </ChartFigure>
    </Box>
  );
}
