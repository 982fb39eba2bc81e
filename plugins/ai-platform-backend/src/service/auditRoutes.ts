import { InputError } from '@backstage/errors';
import { auditReadPermission } from '@internal/plugin-ai-platform-common';
import type express from 'express';
import { DatabaseAuditStore } from '../audit/DatabaseAuditStore';
import type { AuditRecord } from '../audit/types';
import { csvLine } from '../lib/csv';
import type { RouteContext } from './routeContext';
import { specInput } from './validate';

type AuditQuery = {
  from?: string;
  to?: string;
  cursor?: string;
};

/**
 * What the spec cannot say about an audit query it let through: `from` and
 * `to` in UTC with milliseconds, as stored times are (compare like with
 * like), and a cursor this API handed out.
 */
function refineAuditQuery<Q extends AuditQuery>(query: Q): Q {
  const problems: string[] = [];
  const utc = (field: 'from' | 'to') => {
    const value = query[field];
    if (value === undefined) return undefined;
    const time = new Date(value);
    if (Number.isNaN(time.getTime())) {
      problems.push(`${field}: must be an ISO date-time`);
      return undefined;
    }
    return time.toISOString();
  };
  const refined = { ...query, from: utc('from'), to: utc('to') };
  if (
    query.cursor !== undefined &&
    !DatabaseAuditStore.isValidCursor(query.cursor)
  ) {
    problems.push('cursor: not a cursor this API handed out');
  }
  if (problems.length > 0) {
    throw new InputError(`Invalid query: ${problems.join('; ')}`);
  }
  return refined;
}

/** Columns of the audit CSV export. */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'id',
  'time',
  'actor',
  'action',
  'target',
  'outcome',
  'message',
  'request',
  'prev_hash',
  'hash',
];

function auditCsvLine(r: AuditRecord): string {
  return csvLine([
    r.seq,
    r.id,
    r.time,
    r.actor,
    r.action,
    r.target,
    r.outcome,
    r.message,
    JSON.stringify(r.request),
    r.prevHash,
    r.hash,
  ]);
}

/** The audit routes: filtered pages, verification of the chain, CSV export. */
export function addAuditRoutes(router: express.Router, options: RouteContext) {
  const { auditLog } = options;
  const auditReader = (req: express.Request) =>
    options.permittedCredentials(req, auditReadPermission);

  router.get('/audit', async (req, res) => {
    await auditReader(req);
    const { cursor, limit, ...filter } = refineAuditQuery(
      specInput(req, 'GET /audit').query,
    );
    res.json(await auditLog.store.query({ filter, cursor, limit }));
  });

  router.get('/audit/verify', async (req, res) => {
    await auditReader(req);
    res.json(await auditLog.store.verify());
  });

  router.get('/audit/export', async (req, res) => {
    await auditReader(req);
    const filter = refineAuditQuery(specInput(req, 'GET /audit/export').query);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      'attachment; filename="ai-platform-audit.csv"',
    );
    res.write(csvLine(AUDIT_CSV_COLUMNS));
    for await (const record of auditLog.store.stream(filter)) {
      res.write(auditCsvLine(record));
    }
    res.end();
  });
}
