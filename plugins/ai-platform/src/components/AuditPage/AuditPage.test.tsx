import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { AuditRecord } from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import { renderWithApis } from '../../__testUtils__';
import { AuditPage } from './AuditPage';

const record = (
  seq: number,
  partial: Partial<AuditRecord> = {},
): AuditRecord => ({
  seq,
  id: `rec-${seq}`,
  time: `2026-11-2${seq % 10}T10:00:00.000Z`,
  actor: 'user:default/alice',
  action: 'quota.update',
  target: 'group:default/applied-ml',
  request: { pool: 'gpupool:default/l4-inference', gpus: 12 },
  outcome: 'success',
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
  ...partial,
});

function api(): Partial<AiPlatformApi> {
  return {
    getAuditRecords: jest.fn(async ({ cursor } = {}) =>
      cursor
        ? { items: [record(1)] }
        : {
            items: [
              record(3, {
                outcome: 'failure',
                action: 'budget.update',
                message: 'NotAllowedError: ai-platform.budget.manage',
              }),
              record(2),
            ],
            nextCursor: 'page-2',
          },
    ),
    verifyAuditChain: jest.fn(async () => ({ ok: true, checked: 1234 })),
    exportAudit: jest.fn(async () => ({
      filename: 'ai-platform-audit.csv',
      blob: new Blob(['seq\n']),
    })),
  };
}

const READ = 'ai-platform.audit.read';

describe('AuditPage', () => {
  beforeAll(() => {
    URL.createObjectURL = jest.fn(() => 'blob:audit');
    URL.revokeObjectURL = jest.fn();
  });

  it('lists records with the chain status and pages through them', async () => {
    const mock = api();
    await renderWithApis(<AuditPage />, { api: mock, allow: [READ] });
    const table = await screen.findByRole('table', { name: 'Audit records' });
    const [, failed, ok] = within(table).getAllByRole('row');
    expect(within(failed).getByText('budget.update')).toBeInTheDocument();
    expect(within(failed).getByText('failure')).toBeInTheDocument();
    expect(
      within(failed).getByText('NotAllowedError: ai-platform.budget.manage'),
    ).toBeInTheDocument();
    expect(within(ok).getByText('#2')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'Hash chain verified: 1,234 records checked, none altered or missing',
      ),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('#1')).toBeInTheDocument();
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(mock.getAuditRecords).toHaveBeenLastCalledWith({
      filter: expect.any(Object),
      cursor: 'page-2',
      limit: 25,
    });
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(await screen.findByText('#3')).toBeInTheDocument();
  });

  it('filters through the API and exports the filtered records', async () => {
    const mock = api();
    await renderWithApis(<AuditPage />, { api: mock, allow: [READ] });
    await screen.findByRole('table', { name: 'Audit records' });
    fireEvent.change(screen.getByRole('textbox', { name: 'Actor' }), {
      target: { value: 'user:default/alice' },
    });
    fireEvent.mouseDown(screen.getByRole('button', { name: /Any outcome/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'failure' }));
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() =>
      expect(mock.getAuditRecords).toHaveBeenLastCalledWith({
        filter: {
          actor: 'user:default/alice',
          action: undefined,
          target: undefined,
          outcome: 'failure',
          from: undefined,
          to: undefined,
        },
        cursor: undefined,
        limit: 25,
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() =>
      expect(mock.exportAudit).toHaveBeenCalledWith({
        filter: expect.objectContaining({
          actor: 'user:default/alice',
          outcome: 'failure',
        }),
      }),
    );
  });

  it('reads filters from the URL', async () => {
    const mock = api();
    await renderWithApis(<AuditPage />, {
      allow: [READ],
      api: mock,
      initialRouteEntries: ['/?action=quota.update&limit=50'],
    });
    await screen.findByRole('table', { name: 'Audit records' });
    expect(mock.getAuditRecords).toHaveBeenCalledWith({
      filter: expect.objectContaining({ action: 'quota.update' }),
      cursor: undefined,
      limit: 50,
    });
    expect(screen.getByRole('textbox', { name: 'Action' })).toHaveValue(
      'quota.update',
    );
  });

  it('shows a broken chain', async () => {
    await renderWithApis(<AuditPage />, {
      allow: [READ],
      api: {
        ...api(),
        verifyAuditChain: async () => ({
          ok: false,
          checked: 40,
          firstBroken: {
            seq: 17,
            id: 'rec-17',
            reason: 'hash does not match its contents',
          },
        }),
      },
    });
    expect(
      await screen.findByText(
        'Hash chain broken at record #17 (rec-17): hash does not match its contents',
      ),
    ).toBeInTheDocument();
  });

  it('shows the empty state', async () => {
    await renderWithApis(<AuditPage />, {
      allow: [READ],
      api: { ...api(), getAuditRecords: async () => ({ items: [] }) },
    });
    expect(
      await screen.findByText('No audit records match'),
    ).toBeInTheDocument();
  });

  it('shows a permission error', async () => {
    await renderWithApis(<AuditPage />, {
      allow: [READ],
      api: {
        getAuditRecords: async () => {
          throw new Error('NotAllowedError: ai-platform.audit.read');
        },
        verifyAuditChain: async () => {
          throw new Error('NotAllowedError: ai-platform.audit.read');
        },
      },
    });
    expect(
      (await screen.findAllByText(/ai-platform.audit.read/)).length,
    ).toBeGreaterThan(1);
  });

  it('says so, and asks nothing, without ai-platform.audit.read', async () => {
    const mock = api();
    await renderWithApis(<AuditPage />, { api: mock });
    expect(
      screen.getAllByText(/You may not read the audit log/).length,
    ).toBeGreaterThan(0);
    expect(mock.getAuditRecords).not.toHaveBeenCalled();
    expect(mock.verifyAuditChain).not.toHaveBeenCalled();
  });
});
