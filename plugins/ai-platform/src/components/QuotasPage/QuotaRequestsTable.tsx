import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { QuotaRequest } from '@internal/plugin-ai-platform-common';
import {
  aiPlatformApiRef,
  formatTime,
} from '@internal/plugin-ai-platform-react';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { StatusError, StatusOK } from '@backstage/core-components';
import { useState } from 'react';
import { shortRef } from '../common/entityRefs';
import { ReasonDialog } from '../common/ReasonDialog';

type Decision = { request: QuotaRequest; decision: 'approve' | 'reject' };

/**
 * Quota requests: who asked for what and why; pending ones with approve and
 * reject buttons for admins (`canDecide`), decided ones with the decision.
 */
export function QuotaRequestsTable(props: {
  requests: QuotaRequest[];
  label: string;
  canDecide: boolean;
  onDecided: () => void;
}) {
  const api = useApi(aiPlatformApiRef);
  const [deciding, setDeciding] = useState<Decision>();
  const pending = props.requests.some(r => r.state === 'pending');
  return (
    <>
      <Table size="small" aria-label={props.label}>
        <TableHead>
          <TableRow>
            <TableCell>Team</TableCell>
            <TableCell>Pool</TableCell>
            <TableCell align="right">Quota</TableCell>
            <TableCell>Reason</TableCell>
            <TableCell>Asked</TableCell>
            <TableCell>{pending ? 'Decision' : 'Outcome'}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.requests.map(r => (
            <TableRow key={r.id}>
              <TableCell>
                <EntityRefLink entityRef={r.team} defaultKind="Group" />
              </TableCell>
              <TableCell>
                <EntityRefLink entityRef={r.pool} defaultKind="GpuPool" />
              </TableCell>
              <TableCell align="right">{`${r.quotaAtRequest} → ${r.gpus}`}</TableCell>
              <TableCell>{r.reason}</TableCell>
              <TableCell>
                <Typography variant="body2">
                  {shortRef(r.requestedBy)}
                </Typography>
                <Typography variant="caption" color="textSecondary">
                  {formatTime(r.createdAt)}
                </Typography>
              </TableCell>
              <TableCell>
                {r.state === 'pending' && props.canDecide && (
                  <>
                    <Button
                      size="small"
                      color="primary"
                      variant="outlined"
                      onClick={() =>
                        setDeciding({ request: r, decision: 'approve' })
                      }
                      aria-label={`Approve ${shortRef(r.team)} ${
                        r.gpus
                      } GPUs on ${shortRef(r.pool)}`}
                    >
                      Approve
                    </Button>{' '}
                    <Button
                      size="small"
                      variant="outlined"
                      onClick={() =>
                        setDeciding({ request: r, decision: 'reject' })
                      }
                      aria-label={`Reject ${shortRef(r.team)} ${
                        r.gpus
                      } GPUs on ${shortRef(r.pool)}`}
                    >
                      Reject
                    </Button>
                  </>
                )}
                {r.state === 'pending' && !props.canDecide && (
                  <Typography variant="body2" color="textSecondary">
                    waiting for a platform admin
                  </Typography>
                )}
                {r.state === 'approved' && (
                  <StatusOK>{`approved by ${shortRef(r.decidedBy ?? '')}: ${
                    r.decisionReason ?? ''
                  }`}</StatusOK>
                )}
                {r.state === 'rejected' && (
                  <StatusError>{`rejected by ${shortRef(r.decidedBy ?? '')}: ${
                    r.decisionReason ?? ''
                  }`}</StatusError>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ReasonDialog
        open={deciding !== undefined}
        title={
          deciding
            ? `${deciding.decision === 'approve' ? 'Approve' : 'Reject'} ${
                deciding.request.gpus
              } GPUs for ${shortRef(deciding.request.team)}`
            : ''
        }
        confirmLabel={deciding?.decision === 'approve' ? 'Approve' : 'Reject'}
        onClose={() => setDeciding(undefined)}
        onConfirm={async reason => {
          await api.decideQuotaRequest({
            id: deciding!.request.id,
            decision: deciding!.decision,
            reason,
          });
          props.onDecided();
        }}
      >
        {deciding && (
          <Typography variant="body2">
            {deciding.decision === 'approve'
              ? `The quota of ${shortRef(deciding.request.team)} on ${shortRef(
                  deciding.request.pool,
                )} becomes ${
                  deciding.request.gpus
                } GPUs (an override of the YAML baseline).`
              : `The quota of ${shortRef(
                  deciding.request.team,
                )} stays as it is.`}{' '}
            {`They asked: “${deciding.request.reason}”`}
          </Typography>
        )}
      </ReasonDialog>
    </>
  );
}
