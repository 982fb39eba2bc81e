import { InfoCard } from '@backstage/core-components';
import type { CostTopSpenders } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  formatCurrency,
  formatGpuHours,
} from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { NumberCell } from '../common/NumberCell';
import type { Loaded } from '../common/Loaded';
import { GroupKey } from './SpendOverTime';

/** The biggest spenders of the window (endpoints or models), ranked. */
export function TopSpenders(props: {
  title: string;
  top: Loaded<CostTopSpenders>;
}) {
  return (
    <InfoCard title={props.title}>
      <AsyncContent
        {...props.top}
        isEmpty={t => t.items.length === 0}
        emptyTitle="No spend in this window"
      >
        {top => (
          <Table size="small" aria-label={props.title}>
            <TableHead>
              <TableRow>
                <TableCell>#</TableCell>
                <TableCell>{top.groupBy}</TableCell>
                <TableCell align="right">Cost</TableCell>
                <TableCell align="right">GPU-hours</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {top.items.map((row, i) => (
                <TableRow key={`${row.key}|${row.currency}`}>
                  <TableCell>{i + 1}</TableCell>
                  <TableCell>
                    <GroupKey value={row.key} />
                  </TableCell>
                  <NumberCell>
                    {formatCurrency(row.cost, row.currency)}
                  </NumberCell>
                  <NumberCell>{formatGpuHours(row.gpuHours)}</NumberCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
