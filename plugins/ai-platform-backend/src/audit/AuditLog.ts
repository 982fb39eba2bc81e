import type {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import type { AuditStore } from './DatabaseAuditStore';
import { redactSecrets, redactString } from './redactSecrets';
import type { AuditRecord, NewAuditEntry } from './types';

/** Who acted, as recorded: a user entity ref or `service:<subject>`. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal.type === 'user' && principal.userEntityRef) {
    return principal.userEntityRef;
  }
  if (principal.type === 'service' && principal.subject) {
    return `service:${principal.subject}`;
  }
  return principal.type;
}

/** An action about to be performed, for {@link AuditLog.track}. */
export type TrackedAction = {
  /** e.g. `eval.ingest`; also the auditor event id (`ai-platform-eval.ingest`). */
  action: string;
  credentials: BackstageCredentials;
  target?: string;
  request: JsonObject;
  /** The HTTP request, for the auditor event (IP, method, URL). */
  httpRequest?: Request;
  severityLevel?: AuditorServiceEventSeverityLevel;
};

/**
 * The one way our plugins record an action: one append-only, hash-chained
 * record in our database and one `coreServices.auditor` event, success or
 * failure. Secrets are removed from request summaries and messages first.
 */
export class AuditLog {
  constructor(
    private readonly options: {
      store: AuditStore;
      auditor: AuditorService;
      logger: LoggerService;
    },
  ) {}

  get store(): AuditStore {
    return this.options.store;
  }

  /** Records an action that has already happened. */
  async record(entry: NewAuditEntry): Promise<AuditRecord> {
    return this.options.store.append({
      ...entry,
      request: redactSecrets(entry.request),
      message:
        entry.message === undefined ? undefined : redactString(entry.message),
    });
  }

  /**
   * Records an action that was refused or failed before it could run (a
   * check that said no, an input that did not parse): the failure record
   * with the error's message and the failed auditor event, as `track` does
   * for an action that throws. Never throws itself: a record the database
   * refuses is logged.
   */
  async recordFailure(action: TrackedAction, error: unknown): Promise<void> {
    const request = redactSecrets(action.request);
    try {
      const event = await this.startEvent(action, request);
      await this.failed(action, request, event, error);
    } catch (auditError) {
      this.options.logger.error('Could not audit a refused action', {
        action: action.action,
        error: String(auditError),
      });
    }
  }

  private startEvent(action: TrackedAction, request: JsonObject) {
    return this.options.auditor.createEvent({
      eventId: `ai-platform-${action.action.replace(/\./g, '-')}`,
      severityLevel: action.severityLevel ?? 'medium',
      request: action.httpRequest,
      meta: { target: action.target ?? null, ...request },
    });
  }

  /** The failure record (logged if the database refuses it) and event. */
  private async failed(
    action: TrackedAction,
    request: JsonObject,
    event: Awaited<ReturnType<AuditLog['startEvent']>>,
    error: unknown,
  ): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    try {
      await this.record({
        actor: actorOf(action.credentials),
        action: action.action,
        target: action.target,
        request,
        outcome: 'failure',
        message,
      });
    } catch (auditError) {
      this.options.logger.error(
        'Could not write the audit record of a failed action',
        {
          action: action.action,
          error: String(auditError),
        },
      );
    }
    await event.fail({
      error: error instanceof Error ? error : new Error(message),
    });
  }

  /**
   * Runs `fn` as the tracked action: records success, or failure with the
   * error's message (and rethrows it). The auditor event follows the same
   * outcome. Writing the record is retried; a record the database keeps
   * refusing is logged whole (the action itself is not undone).
   * `describeResult` adds facts known only afterwards (e.g. the old and new
   * quota) to the success record.
   */
  async track<T>(
    action: TrackedAction,
    fn: () => Promise<T>,
    describeResult?: (result: T) => JsonObject,
  ): Promise<T> {
    const request = redactSecrets(action.request);
    const event = await this.startEvent(action, request);
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      await this.failed(action, request, event, error);
      throw error;
    }
    const base = {
      actor: actorOf(action.credentials),
      action: action.action,
      target: action.target,
      request,
    };
    const facts = describeResult
      ? redactSecrets(describeResult(result))
      : undefined;
    // The action has happened: the auditor event goes out first, then the
    // chained record, retried; if the database still refuses it, the record
    // is logged whole so that an operator can restore it, and the caller
    // still learns that the action succeeded.
    await event.success(facts ? { meta: facts } : undefined);
    await this.recordCompleted({
      ...base,
      request: facts ? { ...request, ...facts } : request,
      outcome: 'success',
    });
    return result;
  }

  /**
   * Records an action that has already happened and cannot be undone (as
   * `track` does after its action): retried; a record the database keeps
   * refusing is logged whole, so that an operator can restore it. Never
   * throws.
   */
  async recordCompleted(completed: NewAuditEntry): Promise<void> {
    const entry: NewAuditEntry = {
      ...completed,
      request: redactSecrets(completed.request),
      message:
        completed.message === undefined
          ? undefined
          : redactString(completed.message),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.record(entry);
        return;
      } catch (auditError) {
        if (attempt >= 3) {
          this.options.logger.error(
            'Could not write the audit record of a completed action; restore it from this log line',
            { auditRecord: JSON.stringify(entry), error: String(auditError) },
          );
          return;
        }
        await new Promise(r => setTimeout(r, 100 * attempt));
      }
    }
  }
}
