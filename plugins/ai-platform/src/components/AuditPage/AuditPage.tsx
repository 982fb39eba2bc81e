import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  auditReadPermission,
  type AuditFilter,
  AuditOutcome,
  AuditVerification,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatNumber,
  formatTime,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { type FormEvent, useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { DownloadButton } from '../common/DownloadButton';
import { PageFrame } from '../common/PageFrame';
import { SelectField } from '../common/SelectField';
import { useQueryState } from '../common/useQueryState';

const PAGE_SIZES = [25, 50, 100];
const TEXT_FILTERS = ['actor', 'action', 'target'] as const;

/** A datetime-local value (the browser's time zone) as an ISO instant. */
export function localToIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function Verification(props: {
  loading: boolean;
  error?: Error;
  value?: AuditVerification;
}) {
  if (props.loading) return <Progress />;
  if (props.error) {
    return (
      <StatusError>{`Could not verify the chain: ${props.error.message}`}</StatusError>
    );
  }
  const v = props.value;
  if (!v) return null;
  if (v.ok) {
    return (
      <StatusOK>{`Hash chain verified: ${formatNumber(
        v.checked,
        0,
      )} records checked, none altered or missing`}</StatusOK>
    );
  }
  return (
    <StatusError>
      {`Hash chain broken at record #${v.firstBroken?.seq} (${v.firstBroken?.id}): ${v.firstBroken?.reason}`}
    </StatusError>
  );
}

/**
 * The audit log: every mutation of the ai-platform plugins, newest first,
 * filtered by actor, action, target, outcome and time (kept in the URL),
 * a page at a time; the hash chain's verification; and a CSV export of the
 * records matching the filters. Needs `ai-platform.audit.read`.
 */
export function AuditPage(props: { withHeader?: boolean }) {
  const permission = usePermission({ permission: auditReadPermission });
  if (permission.loading) {
    return (
      <PageFrame title="Audit log" withHeader={props.withHeader}>
        <Progress />
      </PageFrame>
    );
  }
  if (!permission.allowed) {
    return (
      <PageFrame title="Audit log" withHeader={props.withHeader}>
        <WarningPanel
          severity="info"
          title="You may not read the audit log"
          message={`Reading it needs the permission ${auditReadPermission.name} (platform admins, and the groups in aiPlatform.permissions.auditReaders).`}
        />
      </PageFrame>
    );
  }
  return <AuditLog withHeader={props.withHeader} />;
}

function AuditLog(props: { withHeader?: boolean }) {
  const api = useApi(aiPlatformApiRef);
  const query = useQueryState();
  const filter: AuditFilter = {
    actor: query.get('actor'),
    action: query.get('action'),
    target: query.get('target'),
    outcome: query.get('outcome') as AuditOutcome | undefined,
    from: localToIso(query.get('from')),
    to: localToIso(query.get('to')),
  };
  const filterKey = JSON.stringify(filter);
  const limit = Number(query.get('limit')) || PAGE_SIZES[0];
  // Cursors of the pages before the current one (the first page has none).
  const [cursors, setCursors] = useState<Array<string | undefined>>([
    undefined,
  ]);
  useEffect(() => setCursors([undefined]), [filterKey, limit]);
  const cursor = cursors[cursors.length - 1];

  const page = useAsync(
    () => api.getAuditRecords({ filter, cursor, limit }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, filterKey, cursor, limit],
  );
  const verification = useAsync(() => api.verifyAuditChain(), [api]);

  // The form edits a draft; Apply puts it in the URL.
  const [draft, setDraft] = useState<Record<string, string>>({});
  useEffect(() => {
    setDraft({
      actor: query.get('actor') ?? '',
      action: query.get('action') ?? '',
      target: query.get('target') ?? '',
      outcome: query.get('outcome') ?? '',
      from: query.get('from') ?? '',
      to: query.get('to') ?? '',
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filterKey]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    query.set(draft);
  };
  const clear = () =>
    query.set({
      actor: '',
      action: '',
      target: '',
      outcome: '',
      from: '',
      to: '',
    });

  return (
    <PageFrame title="Audit log" withHeader={props.withHeader}>
      <Box mb={2} role="status" aria-label="Hash chain verification">
        <Verification {...verification} />
      </Box>
      <InfoCard title="Filters">
        <form onSubmit={apply} aria-label="Audit filters">
          <Box
            display="flex"
            flexWrap="wrap"
            alignItems="center"
            style={{ gap: 16 }}
          >
            {TEXT_FILTERS.map(name => (
              <TextField
                key={name}
                id={`ai-platform-audit-${name}`}
                label={name[0].toUpperCase() + name.slice(1)}
                value={draft[name] ?? ''}
                onChange={e => setDraft({ ...draft, [name]: e.target.value })}
                variant="outlined"
                size="small"
                placeholder={
                  {
                    actor: 'user:default/alice',
                    action: 'quota.update',
                    target: 'group:default/applied-ml',
                  }[name]
                }
              />
            ))}
            <SelectField
              label="Outcome"
              anyLabel="Any outcome"
              value={draft.outcome || undefined}
              minWidth={150}
              options={[
                { value: 'success', label: 'success' },
                { value: 'failure', label: 'failure' },
              ]}
              onChange={v => setDraft({ ...draft, outcome: v ?? '' })}
            />
            <TextField
              id="ai-platform-audit-from"
              label="From"
              type="datetime-local"
              value={draft.from ?? ''}
              onChange={e => setDraft({ ...draft, from: e.target.value })}
              variant="outlined"
              size="small"
              InputLabelProps={{ shrink: true }}
            />
            <TextField
              id="ai-platform-audit-to"
              label="To"
              type="datetime-local"
              value={draft.to ?? ''}
              onChange={e => setDraft({ ...draft, to: e.target.value })}
              variant="outlined"
              size="small"
              InputLabelProps={{ shrink: true }}
            />
            <Button type="submit" variant="contained" color="primary">
              Apply
            </Button>
            <Button onClick={clear}>Clear</Button>
            <Box flexGrow={1} />
            <DownloadButton
              label="Export CSV"
              fetchFile={() => api.exportAudit({ filter })}
            />
          </Box>
        </form>
      </InfoCard>
      <Box mt={3}>
        <InfoCard title="Records">
          {page.error ? (
            <ResponseErrorPanel error={page.error} />
          ) : (
            <AsyncContent
              loading={page.loading}
              value={page.value}
              isEmpty={p => p.items.length === 0}
              emptyTitle="No audit records match"
              emptyDescription="Every mutation of the ai-platform plugins (evals, gates, quotas, budgets, deployments) writes one record."
            >
              {p => (
                <Table size="small" aria-label="Audit records">
                  <TableHead>
                    <TableRow>
                      <TableCell>Time</TableCell>
                      <TableCell>Actor</TableCell>
                      <TableCell>Action</TableCell>
                      <TableCell>Target</TableCell>
                      <TableCell>Outcome</TableCell>
                      <TableCell>Details</TableCell>
                    </TableRow>
                  </TableHead>
                  <TableBody>
                    {p.items.map(r => (
                      <TableRow key={r.id}>
                        <TableCell>
                          <Typography variant="body2">
                            {formatTime(r.time)}
                          </Typography>
                          <Typography variant="caption" color="textSecondary">
                            {`#${r.seq}`}
                          </Typography>
                        </TableCell>
                        <TableCell>{r.actor}</TableCell>
                        <TableCell>{r.action}</TableCell>
                        <TableCell>{r.target ?? '—'}</TableCell>
                        <TableCell>
                          {r.outcome === 'success' ? (
                            <StatusOK>success</StatusOK>
                          ) : (
                            <StatusError>failure</StatusError>
                          )}
                        </TableCell>
                        <TableCell>
                          {r.message && (
                            <Typography variant="body2">{r.message}</Typography>
                          )}
                          <details>
                            <summary>Request</summary>
                            <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
                              {JSON.stringify(r.request, null, 2)}
                            </pre>
                          </details>
                        </TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </AsyncContent>
          )}
          <Box
            display="flex"
            alignItems="center"
            justifyContent="flex-end"
            mt={2}
            style={{ gap: 16 }}
            component="nav"
            aria-label="Audit pages"
          >
            <SelectField
              label="Per page"
              value={String(limit)}
              minWidth={100}
              options={PAGE_SIZES.map(n => ({
                value: String(n),
                label: String(n),
              }))}
              onChange={v => query.set({ limit: v === '25' ? undefined : v })}
            />
            <Typography variant="body2">{`Page ${cursors.length}`}</Typography>
            <Button
              variant="outlined"
              disabled={cursors.length <= 1 || page.loading}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Previous page
            </Button>
            <Button
              variant="outlined"
              disabled={!page.value?.nextCursor || page.loading}
              onClick={() => setCursors([...cursors, page.value?.nextCursor])}
            >
              Next page
            </Button>
          </Box>
        </InfoCard>
      </Box>
    </PageFrame>
  );
}

/** The audit page with Backstage's page header, for legacy apps. */
export function LegacyAuditPage() {
  return <AuditPage withHeader />;
}
