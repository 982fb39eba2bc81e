import { InfoCard } from '@backstage/core-components';
import type { CostSummary } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  formatCurrency,
  formatShare,
} from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { NumberCell } from '../common/NumberCell';
import type { Loaded } from '../common/Loaded';
import { utilizationOf } from '../GpuPoolCostCard/GpuPoolCostCard';
import { GroupKey } from './SpendOverTime';

/**
 * Idle cost per pool (GPU-hours not used x price, where DCGM utilisation is
 * known), with the utilisation and how much of the pool's GPU-hours it
 * covers.
 */
export function IdleCostByPool(props: { byPool: Loaded<CostSummary> }) {
  return (
    <InfoCard title="Idle cost by pool">
      <AsyncContent
        {...props.byPool}
        isEmpty={s => s.groups.length === 0}
        emptyTitle="No spend in this window"
      >
        {summary => (
          <Table size="small" aria-label="Idle cost by pool">
            <TableHead>
              <TableRow>
                <TableCell>Pool</TableCell>
                <TableCell align="right">Cost</TableCell>
                <TableCell align="right">Idle cost</TableCell>
                <TableCell align="right">Utilisation</TableCell>
                <TableCell align="right">Known for</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {summary.groups.map(g => {
                const utilization = utilizationOf(g);
                return (
                  <TableRow key={`${g.key}|${g.currency}`}>
                    <TableCell>
                      <GroupKey value={g.key} />
                    </TableCell>
                    <NumberCell>
                      {formatCurrency(g.cost, g.currency)}
                    </NumberCell>
                    <NumberCell>
                      {utilization === undefined
                        ? 'unknown'
                        : formatCurrency(g.idleCost, g.currency)}
                    </NumberCell>
                    <NumberCell>
                      {utilization === undefined
                        ? '—'
                        : formatShare(utilization)}
                    </NumberCell>
                    <NumberCell>
                      {formatShare(g.utilizationCoverage)}
                    </NumberCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
