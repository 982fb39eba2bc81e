import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuditLog, actorOf } from './AuditLog';
import type { AuditStore } from './DatabaseAuditStore';
import type { NewAuditEntry } from './types';

function setup() {
  const appended: NewAuditEntry[] = [];
  const store = {
    append: jest.fn(async (e: NewAuditEntry) => {
      appended.push(e);
      return {
        ...e,
        seq: appended.length,
        id: 'x',
        time: 't',
        prevHash: 'p',
        hash: 'h',
      };
    }),
  } as unknown as AuditStore;
  const event = { success: jest.fn(), fail: jest.fn() };
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async () => event),
  });
  const auditLog = new AuditLog({
    store,
    auditor,
    logger: mockServices.logger.mock(),
  });
  return { auditLog, appended, auditor, event };
}

describe('AuditLog', () => {
  const credentials = mockCredentials.user('user:default/alice');

  it('names users by entity ref and services by subject', () => {
    expect(actorOf(credentials)).toBe('user:default/alice');
    expect(actorOf(mockCredentials.service('external:ci-evals'))).toBe(
      'service:external:ci-evals',
    );
  });

  it('records a success, with secrets removed, and emits the auditor event', async () => {
    const { auditLog, appended, auditor, event } = setup();
    const result = await auditLog.track(
      {
        action: 'gate.override',
        credentials,
        target: 'model:default/m',
        request: { version: 'v2', token: 'abc12345678' },
      },
      async () => 42,
    );
    expect(result).toBe(42);
    expect(appended).toEqual([
      {
        actor: 'user:default/alice',
        action: 'gate.override',
        target: 'model:default/m',
        request: { version: 'v2', token: '[REDACTED]' },
        outcome: 'success',
      },
    ]);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'ai-platform-gate-override',
        meta: { target: 'model:default/m', version: 'v2', token: '[REDACTED]' },
      }),
    );
    expect(event.success).toHaveBeenCalled();
    expect(event.fail).not.toHaveBeenCalled();
  });

  it('records a failure with its message and rethrows', async () => {
    const { auditLog, appended, event } = setup();
    await expect(
      auditLog.track(
        { action: 'eval.ingest', credentials, request: {} },
        async () => {
          throw new Error('boom with Bearer abcdefgh12345678');
        },
      ),
    ).rejects.toThrow('boom');
    expect(appended).toEqual([
      expect.objectContaining({
        outcome: 'failure',
        message: 'boom with [REDACTED]',
      }),
    ]);
    expect(event.fail).toHaveBeenCalled();
  });

  it('records a refused action as a failure without running anything', async () => {
    const { auditLog, appended, auditor, event } = setup();
    await auditLog.recordFailure(
      {
        action: 'endpoint.deploy',
        credentials,
        target: 'inferenceendpoint:default/chat',
        request: { dryRun: false, apiKey: 'sk-abcdefgh12345678' },
        severityLevel: 'low',
      },
      new Error('permission: ai-platform.endpoint.deploy denied'),
    );
    expect(appended).toEqual([
      {
        actor: 'user:default/alice',
        action: 'endpoint.deploy',
        target: 'inferenceendpoint:default/chat',
        request: { dryRun: false, apiKey: '[REDACTED]' },
        outcome: 'failure',
        message: 'permission: ai-platform.endpoint.deploy denied',
      },
    ]);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'ai-platform-endpoint-deploy',
        severityLevel: 'low',
      }),
    );
    expect(event.fail).toHaveBeenCalledWith({
      error: new Error('permission: ai-platform.endpoint.deploy denied'),
    });
    expect(event.success).not.toHaveBeenCalled();
  });

  it('never throws for a refused action, even when the auditor fails', async () => {
    const { auditLog, auditor } = setup();
    (auditor.createEvent as jest.Mock).mockRejectedValueOnce(
      new Error('auditor down'),
    );
    await expect(
      auditLog.recordFailure(
        { action: 'endpoint.deploy', credentials, request: {} },
        new Error('refused'),
      ),
    ).resolves.toBeUndefined();
  });
});

describe('AuditLog when the database refuses the record', () => {
  it('logs a completed record it cannot write whole, without secrets, and does not throw', async () => {
    const store = {
      append: jest.fn().mockRejectedValue(new Error('db down')),
    } as unknown as AuditStore;
    const logger = mockServices.logger.mock();
    const auditLog = new AuditLog({
      store,
      auditor: mockServices.auditor.mock(),
      logger,
    });
    await expect(
      auditLog.recordCompleted({
        actor: 'service:ai-platform-demo-seed',
        action: 'cost.seed',
        request: { demo: true, token: 'abc12345678' },
        outcome: 'success',
        message: 'Demo data: seeded with Bearer abcdefgh12345678',
      }),
    ).resolves.toBeUndefined();
    expect(store.append).toHaveBeenCalledTimes(3);
    const meta = logger.error.mock.calls[0][1] as { auditRecord: string };
    const logged = JSON.parse(meta.auditRecord);
    expect(logged).toEqual({
      actor: 'service:ai-platform-demo-seed',
      action: 'cost.seed',
      request: { demo: true, token: '[REDACTED]' },
      outcome: 'success',
      message: 'Demo data: seeded with [REDACTED]',
    });
  });

  it('retries, then logs the whole record, and does not undo the action', async () => {
    const store = {
      append: jest
        .fn()
        .mockRejectedValueOnce(new Error('db busy'))
        .mockRejectedValueOnce(new Error('db busy'))
        .mockRejectedValueOnce(new Error('db down')),
    } as unknown as AuditStore;
    const event = { success: jest.fn(), fail: jest.fn() };
    const logger = mockServices.logger.mock();
    const auditLog = new AuditLog({
      store,
      auditor: mockServices.auditor.mock({
        createEvent: jest.fn(async () => event),
      }),
      logger,
    });
    await expect(
      auditLog.track(
        {
          action: 'quota.update',
          credentials: mockCredentials.user('user:default/alice'),
          request: { gpus: 4 },
        },
        async () => 'done',
      ),
    ).resolves.toBe('done');
    expect(store.append).toHaveBeenCalledTimes(3);
    expect(event.success).toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(
      'Could not write the audit record of a completed action; restore it from this log line',
      expect.objectContaining({
        auditRecord: expect.stringContaining('"action":"quota.update"'),
      }),
    );
  });
});
