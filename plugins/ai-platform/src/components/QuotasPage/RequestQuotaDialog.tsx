import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type PoolQuotas,
  quotaRequestPermission,
} from '@internal/plugin-ai-platform-common';
import { aiPlatformApiRef } from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useElementId } from '../common/useElementId';
import { useEffect, useState } from 'react';
import { shortRef } from '../common/entityRefs';
import { ReasonDialog } from '../common/ReasonDialog';
import { SelectField } from '../common/SelectField';

/**
 * Asks for a larger quota for a team on a pool (the total the team needs),
 * with a reason. Any member of the team may ask; the dialog says so when the
 * user may not ask for the chosen team.
 */
export function RequestQuotaDialog(props: {
  open: boolean;
  onClose: () => void;
  onRequested: () => void;
  pools: PoolQuotas[];
  /** Teams to offer: the user's own and those with a quota anywhere. */
  teams: string[];
  initialPool?: string;
  initialTeam?: string;
}) {
  const api = useApi(aiPlatformApiRef);
  const [pool, setPool] = useState(props.initialPool);
  const [team, setTeam] = useState(props.initialTeam);
  const [gpus, setGpus] = useState('');
  const id = useElementId();
  useEffect(() => {
    if (props.open) {
      setPool(props.initialPool ?? props.pools[0]?.pool);
      setTeam(props.initialTeam ?? props.teams[0]);
      setGpus('');
    }
  }, [
    props.open,
    props.initialPool,
    props.initialTeam,
    props.pools,
    props.teams,
  ]);

  const permission = usePermission({
    permission: quotaRequestPermission,
    resourceRef: team,
  });
  const selectedPool = props.pools.find(p => p.pool === pool);
  const current = selectedPool?.teams.find(t => t.team === team)?.quota ?? 0;
  const total = Number(gpus);
  let blockedBy: string | undefined;
  if (!pool || !team) blockedBy = 'Pick a pool and a team.';
  else if (!permission.loading && !permission.allowed) {
    blockedBy = `You may not ask for GPUs for ${shortRef(
      team,
    )}: only its members (and platform admins) may.`;
  } else if (gpus !== '' && (!Number.isInteger(total) || total <= current)) {
    blockedBy = `Ask for a whole number of GPUs above the current quota (${current}).`;
  } else if (gpus === '') blockedBy = 'Enter the total number of GPUs needed.';

  return (
    <ReasonDialog
      open={props.open}
      title="Request more GPUs"
      confirmLabel="Send request"
      onClose={props.onClose}
      blockedBy={blockedBy}
      onConfirm={async reason => {
        await api.createQuotaRequest({
          team: team!,
          pool: pool!,
          gpus: total,
          reason,
        });
        props.onRequested();
      }}
    >
      <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mt={1}>
        <SelectField
          label="Pool"
          value={pool}
          minWidth={240}
          options={props.pools.map(p => ({ value: p.pool, label: p.title }))}
          onChange={setPool}
        />
        <SelectField
          label="Team"
          value={team}
          minWidth={200}
          options={props.teams.map(t => ({ value: t, label: shortRef(t) }))}
          onChange={setTeam}
        />
        <TextField
          id={id && `${id}-gpus`}
          label="Total GPUs needed"
          type="number"
          value={gpus}
          onChange={e => setGpus(e.target.value)}
          variant="outlined"
          size="small"
          inputProps={{ min: current + 1, step: 1 }}
        />
      </Box>
      {selectedPool && team && (
        <Typography
          variant="body2"
          color="textSecondary"
          style={{ marginTop: 8 }}
        >
          {`Current quota of ${shortRef(team)} on ${
            selectedPool.title
          }: ${current} GPUs; the pool has ${selectedPool.free} of ${
            selectedPool.capacity
          } free.`}
        </Typography>
      )}
    </ReasonDialog>
  );
}
