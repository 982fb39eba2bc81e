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
   * Runs `fn` as the tracked action: records success, or failure with the
   * error's message (and rethrows it). The auditor event follows the same
   * outcome. A failure to write the audit record fails the action.
   * `describeResult` adds facts known only afterwards (e.g. the old and new
   * quota) to the success record.
   */
  async track<T>(
    action: TrackedAction,
    fn: () => Promise<T>,
    describeResult?: (result: T) => JsonObject,
  ): Promise<T> {
    const request = redactSecrets(action.request);
    const event = await this.options.auditor.createEvent({
      eventId: `ai-platform-${action.action.replace(/\./g, '-')}`,
      severityLevel: action.severityLevel ?? 'medium',
      request: action.httpRequest,
      meta: { target: action.target ?? null, ...request },
    });
    const base = {
      actor: actorOf(action.credentials),
      action: action.action,
      target: action.target,
      request,
    };
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      try {
        await this.record({ ...base, outcome: 'failure', message });
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
      throw error;
    }
    const facts = describeResult
      ? redactSecrets(describeResult(result))
      : undefined;
    await this.record({
      ...base,
      request: facts ? { ...request, ...facts } : request,
      outcome: 'success',
    });
    await event.success(facts ? { meta: facts } : undefined);
    return result;
  }
}
