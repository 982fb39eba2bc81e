import {
  InfoCard,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  BudgetStatus,
  BudgetsResponse,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  formatCurrency,
  formatNumber,
} from '@internal/plugin-ai-platform-react';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { NumberCell } from '../common/NumberCell';
import type { Loaded } from '../common/Loaded';
import { monthName } from './costWindow';
import { SetBudgetDialog } from './SetBudgetDialog';

function StatusOf(props: { status: BudgetStatus }) {
  if (props.status === 'over') return <StatusError>over budget</StatusError>;
  if (props.status === 'at-risk') {
    return <StatusWarning>at risk (forecast over)</StatusWarning>;
  }
  return <StatusOK>under budget</StatusOK>;
}

/**
 * Budget against actual (month to date) and forecast per team for the
 * current month, with a button to set a budget for holders of
 * `ai-platform.budget.manage`.
 */
export function BudgetsCard(props: {
  budgets: Loaded<BudgetsResponse>;
  month: string;
  canManage: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const setButton = props.canManage ? (
    <Button variant="outlined" color="primary" onClick={() => setEditing(true)}>
      Set budget
    </Button>
  ) : undefined;
  return (
    <InfoCard
      title={`Budget vs actual, ${monthName(props.month)}`}
      action={setButton}
    >
      <AsyncContent
        {...props.budgets}
        isEmpty={b => b.items.length === 0}
        emptyTitle={`No budgets set for ${monthName(props.month)}`}
        emptyDescription={
          props.canManage
            ? 'Set a budget per team; the page then tracks actual and forecast against it.'
            : 'A platform admin sets budgets per team.'
        }
      >
        {({ items }) => (
          <Table size="small" aria-label="Budget vs actual per team">
            <TableHead>
              <TableRow>
                <TableCell>Team</TableCell>
                <TableCell align="right">Budget</TableCell>
                <TableCell align="right">Actual</TableCell>
                <TableCell align="right">Forecast</TableCell>
                <TableCell align="right">Used</TableCell>
                <TableCell>Status</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map(b => (
                <TableRow key={`${b.teamRef}|${b.currency}`}>
                  <TableCell>
                    <EntityRefLink entityRef={b.teamRef} defaultKind="Group" />
                    {b.otherCurrencies.length > 0 && (
                      <Typography
                        variant="caption"
                        color="textSecondary"
                        component="div"
                      >
                        {`also ${b.otherCurrencies
                          .map(o => formatCurrency(o.actual, o.currency))
                          .join(', ')} not counted`}
                      </Typography>
                    )}
                  </TableCell>
                  <NumberCell>
                    {formatCurrency(b.budget, b.currency)}
                  </NumberCell>
                  <NumberCell>
                    {formatCurrency(b.actual, b.currency)}
                  </NumberCell>
                  <NumberCell>
                    {formatCurrency(b.forecast, b.currency)}
                  </NumberCell>
                  <NumberCell>
                    {b.percentUsed === undefined
                      ? '—'
                      : `${formatNumber(b.percentUsed, 0)}%`}
                  </NumberCell>
                  <TableCell>
                    <StatusOf status={b.status} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </AsyncContent>
      <SetBudgetDialog
        open={editing}
        month={props.month}
        onClose={() => setEditing(false)}
        onSaved={props.onChanged}
      />
    </InfoCard>
  );
}
