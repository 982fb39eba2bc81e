import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { aiPlatformApiRef } from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import TextField from '@material-ui/core/TextField';
import { useElementId } from '../common/useElementId';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { ReasonDialog } from '../common/ReasonDialog';
import { SelectField } from '../common/SelectField';

/** Sets a team's budget for a month (admins), with a reason. */
export function SetBudgetDialog(props: {
  open: boolean;
  month: string;
  onClose: () => void;
  onSaved: () => void;
  initialTeam?: string;
  initialCurrency?: string;
}) {
  const api = useApi(aiPlatformApiRef);
  const catalogApi = useApi(catalogApiRef);
  const id = useElementId();
  const groups = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'Group' },
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    return items.map(g => ({
      value: stringifyEntityRef(g),
      label: g.metadata.title ?? g.metadata.name,
    }));
  }, [catalogApi]);
  const [team, setTeam] = useState<string>();
  const [month, setMonth] = useState(props.month);
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('USD');
  useEffect(() => {
    if (props.open) {
      setTeam(props.initialTeam);
      setMonth(props.month);
      setAmount('');
      setCurrency(props.initialCurrency ?? 'USD');
    }
  }, [props.open, props.initialTeam, props.month, props.initialCurrency]);

  const value = Number(amount);
  let blockedBy: string | undefined;
  if (!team) blockedBy = 'Pick a team.';
  else if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    blockedBy = 'The month must look like 2026-11.';
  } else if (amount === '' || !Number.isFinite(value) || value < 0) {
    blockedBy = 'Enter an amount of 0 or more.';
  } else if (!/^[A-Z]{3}$/.test(currency)) {
    blockedBy = 'The currency must be an ISO 4217 code such as USD.';
  }

  return (
    <ReasonDialog
      open={props.open}
      title="Set a team budget"
      confirmLabel="Save budget"
      onClose={props.onClose}
      blockedBy={blockedBy}
      onConfirm={async reason => {
        await api.setBudget({
          team: team!,
          month,
          amount: value,
          currency,
          reason,
        });
        props.onSaved();
      }}
    >
      <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mt={1}>
        <SelectField
          label="Team"
          value={team}
          minWidth={220}
          options={groups.value ?? []}
          onChange={setTeam}
        />
        <TextField
          id={id && `${id}-month`}
          label="Month"
          value={month}
          onChange={e => setMonth(e.target.value)}
          variant="outlined"
          size="small"
          helperText="YYYY-MM (UTC)"
        />
        <TextField
          id={id && `${id}-amount`}
          label="Amount"
          type="number"
          value={amount}
          onChange={e => setAmount(e.target.value)}
          variant="outlined"
          size="small"
          inputProps={{ min: 0, step: 100 }}
        />
        <TextField
          id={id && `${id}-currency`}
          label="Currency"
          value={currency}
          onChange={e => setCurrency(e.target.value.toUpperCase())}
          variant="outlined"
          size="small"
          style={{ width: 100 }}
        />
      </Box>
    </ReasonDialog>
  );
}
