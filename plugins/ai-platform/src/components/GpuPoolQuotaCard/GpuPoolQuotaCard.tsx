import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { PoolQuotas } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import useAsync from 'react-use/esm/useAsync';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { quotasRouteRef } from '../../routes';
import { ChartFigure, seriesColor, useChartTheme } from '../charts';
import { shortRef } from '../common/entityRefs';
import { usePageLink } from '../common/usePageLink';
import { useEntityTitles } from '../common/useEntityTitles';

function QuotaChart(props: { pool: PoolQuotas }) {
  const chart = useChartTheme();
  const titleOf = useEntityTitles(props.pool.teams.map(t => t.team));
  const data = props.pool.teams.map(t => ({
    team: t.team,
    Quota: t.quota,
    Used: t.used,
  }));
  return (
    <ChartFigure label="Quota and GPUs used per team" height={220}>
      {size => (
        <BarChart
          {...size}
          data={data}
          accessibilityLayer
          margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        >
          <CartesianGrid stroke={chart.grid} vertical={false} />
          <XAxis dataKey="team" {...chart.axis} tickFormatter={titleOf} />
          <YAxis allowDecimals={false} width={40} {...chart.axis} />
          <Tooltip {...chart.tooltip} labelFormatter={titleOf} />
          <Legend {...chart.legend} />
          <Bar
            dataKey="Quota"
            fill={seriesColor(0)}
            isAnimationActive={false}
          />
          <Bar dataKey="Used" fill={seriesColor(1)} isAnimationActive={false} />
        </BarChart>
      )}
    </ChartFigure>
  );
}

/**
 * Each team's GPU quota on the pool against the GPUs its endpoints use, as a
 * chart and a table (with admin overrides: who, when, why).
 */
export function GpuPoolQuotaCard() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const ref = stringifyEntityRef(entity);
  const quotasLink = usePageLink(quotasRouteRef);
  const state = useAsync(async () => {
    const { items } = await api.getQuotas({ pool: ref });
    // null, not undefined: AsyncContent takes an undefined value for one
    // still loading, and would spin forever on a pool the backend lacks.
    return items[0] ?? null;
  }, [api, ref]);
  return (
    <InfoCard
      title="Quotas per team"
      deepLink={
        quotasLink
          ? {
              title: 'Quotas and requests',
              link: `${quotasLink}?pool=${encodeURIComponent(ref)}`,
            }
          : undefined
      }
    >
      <AsyncContent
        {...state}
        isEmpty={v => !v || v.teams.length === 0}
        emptyTitle="No team has a quota on this pool"
        emptyDescription="Quotas come from spec.quotas in the pool's YAML, or from an admin's override."
      >
        {pool =>
          pool && (
            <>
              <QuotaChart pool={pool} />
              <Table size="small" aria-label="Quotas per team">
                <TableHead>
                  <TableRow>
                    <TableCell>Team</TableCell>
                    <TableCell align="right">Quota</TableCell>
                    <TableCell align="right">Used</TableCell>
                    <TableCell align="right">Free</TableCell>
                    <TableCell>Source</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {pool.teams.map(t => (
                    <TableRow key={t.team}>
                      <TableCell>
                        <EntityRefLink entityRef={t.team} defaultKind="Group" />
                      </TableCell>
                      <TableCell align="right">{t.quota}</TableCell>
                      <TableCell align="right">{t.used}</TableCell>
                      <TableCell align="right">{t.free}</TableCell>
                      <TableCell>
                        {t.override
                          ? `override by ${shortRef(t.override.actor)}: ${
                              t.override.reason
                            }${
                              t.baseline !== undefined
                                ? ` (YAML: ${t.baseline})`
                                : ''
                            }`
                          : 'pool YAML'}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </>
          )
        }
      </AsyncContent>
    </InfoCard>
  );
}
