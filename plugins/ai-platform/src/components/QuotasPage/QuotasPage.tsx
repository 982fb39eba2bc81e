import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type PoolQuotas,
  quotaManagePermission,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  UsageBar,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { shortRef } from '../common/entityRefs';
import { PageFrame } from '../common/PageFrame';
import { SelectField } from '../common/SelectField';
import { useEntityTitles } from '../common/useEntityTitles';
import { useQueryState } from '../common/useQueryState';
import { QuotaRequestsTable } from './QuotaRequestsTable';
import { RequestQuotaDialog } from './RequestQuotaDialog';
import { ReservedVsRunningCard } from './ReservedVsRunningCard';
import { useMyTeams } from './useMyTeams';

function PoolCard(props: {
  pool: PoolQuotas;
  /** A team's title (or name) for its bar. */
  titleOf: (team: string) => string;
}) {
  const { pool, titleOf } = props;
  return (
    <InfoCard
      title={pool.title}
      subheader={`${pool.cluster} · ${pool.capacity} GPUs`}
    >
      <section aria-label={`Quotas on ${pool.title}`}>
        <Box mb={2}>
          <EntityRefLink entityRef={pool.pool} defaultKind="GpuPool">
            Pool details
          </EntityRefLink>
        </Box>
        <UsageBar label="Whole pool" used={pool.used} limit={pool.capacity} />
        {pool.teams.length === 0 && (
          <Typography variant="body2" color="textSecondary">
            No team has a quota on this pool.
          </Typography>
        )}
        {pool.teams.map(t => (
          <UsageBar
            key={t.team}
            label={titleOf(t.team)}
            used={t.used}
            limit={t.quota}
            note={
              t.override
                ? `override by ${shortRef(t.override.actor)} (YAML: ${
                    t.baseline ?? 0
                  }): ${t.override.reason}`
                : undefined
            }
          />
        ))}
      </section>
    </InfoCard>
  );
}

/**
 * The GPU quotas page: each pool's capacity and each team's quota and usage
 * as bars; quota requests (pending first) with approve and reject for admins;
 * and a request for more GPUs that any team member can make. `?pool=` shows
 * one pool.
 */
export function QuotasPage(props: { withHeader?: boolean }) {
  const api = useApi(aiPlatformApiRef);
  const query = useQueryState();
  const poolFilter = query.get('pool');
  const quotas = useAsyncRetry(() => api.getQuotas(), [api]);
  const requests = useAsyncRetry(() => api.listQuotaRequests(), [api]);
  const myTeams = useMyTeams();
  const canManage = usePermission({ permission: quotaManagePermission });
  const [requesting, setRequesting] = useState(false);

  const pools = quotas.value?.items ?? [];
  const shown = poolFilter ? pools.filter(p => p.pool === poolFilter) : pools;
  const teamsWithQuota = pools.flatMap(p => p.teams.map(t => t.team));
  const titleOf = useEntityTitles(teamsWithQuota);
  const teamOptions = [
    ...new Set([
      ...(myTeams.value ?? []),
      ...(canManage.allowed ? teamsWithQuota : []),
    ]),
  ].sort();
  const all = requests.value?.items ?? [];
  const pending = all.filter(r => r.state === 'pending');
  const decided = all.filter(r => r.state !== 'pending').slice(0, 10);
  const refresh = () => {
    quotas.retry();
    requests.retry();
  };

  return (
    <PageFrame title="GPU quotas" withHeader={props.withHeader}>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={2}
        style={{ gap: 16 }}
      >
        <SelectField
          label="Pool"
          anyLabel="All pools"
          value={poolFilter}
          minWidth={260}
          options={pools.map(p => ({ value: p.pool, label: p.title }))}
          onChange={v => query.set({ pool: v })}
        />
        <Box flexGrow={1} />
        <Button
          variant="contained"
          color="primary"
          startIcon={<AddIcon />}
          onClick={() => setRequesting(true)}
          disabled={pools.length === 0}
        >
          Request more GPUs
        </Button>
      </Box>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <AsyncContent
            {...quotas}
            isEmpty={v => v.items.length === 0}
            emptyTitle="No GPU pools in the catalog"
            emptyDescription="Register GpuPool entities (see examples/gpu-pools.yaml)."
          >
            {() => (
              <Grid container spacing={3}>
                {shown.map(pool => (
                  <Grid item xs={12} md={6} key={pool.pool}>
                    <PoolCard pool={pool} titleOf={titleOf} />
                  </Grid>
                ))}
              </Grid>
            )}
          </AsyncContent>
        </Grid>
        <Grid item xs={12}>
          <ReservedVsRunningCard pool={poolFilter} />
        </Grid>
        <Grid item xs={12}>
          <InfoCard title="Pending requests">
            <AsyncContent
              {...requests}
              isEmpty={() => pending.length === 0}
              emptyTitle="No pending requests"
              emptyDescription="Ask for more GPUs with the button above; a platform admin decides."
            >
              {() => (
                <QuotaRequestsTable
                  label="Pending quota requests"
                  requests={pending}
                  canDecide={canManage.allowed}
                  onDecided={refresh}
                />
              )}
            </AsyncContent>
          </InfoCard>
        </Grid>
        {decided.length > 0 && (
          <Grid item xs={12}>
            <InfoCard title="Recent decisions">
              <QuotaRequestsTable
                label="Decided quota requests"
                requests={decided}
                canDecide={false}
                onDecided={refresh}
              />
            </InfoCard>
          </Grid>
        )}
      </Grid>
      <RequestQuotaDialog
        open={requesting}
        onClose={() => setRequesting(false)}
        onRequested={refresh}
        pools={pools}
        teams={teamOptions}
        initialPool={poolFilter}
      />
    </PageFrame>
  );
}

/** The quotas page with Backstage's page header, for legacy apps. */
export function LegacyQuotasPage() {
  return <QuotasPage withHeader />;
}
