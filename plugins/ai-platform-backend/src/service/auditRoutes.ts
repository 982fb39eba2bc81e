import { auditReadPermission } from '@internal/plugin-ai-platform-common';
import type express from 'express';
import { z } from 'zod';
import { DatabaseAuditStore } from '../audit/DatabaseAuditStore';
import type { AuditRecord } from '../audit/types';
import { csvLine } from '../lib/csv';
import type { RouteContext } from './routeContext';
import { nonEmpty, parseInput } from './validate';

// Stored times are UTC with milliseconds; compare like with like.
const isoTime = z.iso
  .datetime({ offset: true })
  .transform(value => new Date(value).toISOString());

const auditQuerySchema = z.object({
  actor: nonEmpty.optional(),
  action: nonEmpty.optional(),
  target: nonEmpty.optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  cursor: nonEmpty
    .refine(
      DatabaseAuditStore.isValidCursor,
      'not a cursor this API handed out',
    )
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

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
    const { cursor, limit, ...filter } = parseInput(
      auditQuerySchema,
      req.query,
      'query',
    );
    res.json(await auditLog.store.query({ filter, cursor, limit }));
  });

  router.get('/audit/verify', async (req, res) => {
    await auditReader(req);
    res.json(await auditLog.store.verify());
  });

  router.get('/audit/export', async (req, res) => {
    await auditReader(req);
    const {
      cursor: _c,
      limit: _l,
      ...filter
    } = parseInput(auditQuerySchema, req.query, 'query');
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
