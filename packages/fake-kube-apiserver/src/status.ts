import { qualifiedName, type ResourceType } from './resources';

/** A `metav1.Status` failure, thrown inside the fake and answered as the real server answers it. */
export class KubeStatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details?: Record<string, unknown>;

  constructor(options: {
    code: number;
    reason: string;
    message: string;
    details?: Record<string, unknown>;
  }) {
    super(options.message);
    this.name = 'KubeStatusError';
    this.code = options.code;
    this.reason = options.reason;
    this.details = options.details;
  }

  /** The Status body. */
  toStatus() {
    return statusBody({
      code: this.code,
      reason: this.reason,
      message: this.message,
      details: this.details,
    });
  }
}

/** A Status body, as the real server writes it. */
export function statusBody(options: {
  code: number;
  reason?: string;
  message: string;
  details?: Record<string, unknown>;
}) {
  const success = options.code >= 200 && options.code < 300;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: success ? 'Success' : 'Failure',
    message: options.message,
    ...(options.reason ? { reason: options.reason } : {}),
    details: options.details ?? {},
    code: options.code,
  };
}

function resourceDetails(type: ResourceType, name?: string) {
  return {
    ...(name !== undefined ? { name } : {}),
    ...(type.group ? { group: type.group } : {}),
    kind: type.plural,
  };
}

/** `deployments.apps "web" not found` */
export function notFound(type: ResourceType, name: string) {
  return new KubeStatusError({
    code: 404,
    reason: 'NotFound',
    message: `${qualifiedName(type)} "${name}" not found`,
    details: resourceDetails(type, name),
  });
}

/** `namespaces "x" not found` for an object in a namespace that does not exist. */
export function namespaceNotFound(namespace: string) {
  return new KubeStatusError({
    code: 404,
    reason: 'NotFound',
    message: `namespaces "${namespace}" not found`,
    details: { name: namespace, kind: 'namespaces' },
  });
}

/** A path the server does not serve (unknown or not installed group). */
export function pathNotFound() {
  return new KubeStatusError({
    code: 404,
    reason: 'NotFound',
    message: 'the server could not find the requested resource',
  });
}

export function alreadyExists(type: ResourceType, name: string) {
  return new KubeStatusError({
    code: 409,
    reason: 'AlreadyExists',
    message: `${qualifiedName(type)} "${name}" already exists`,
    details: resourceDetails(type, name),
  });
}

/** The optimistic-concurrency conflict of an update with a stale resourceVersion. */
export function staleConflict(type: ResourceType, name: string) {
  return new KubeStatusError({
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualifiedName(
      type,
    )} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details: resourceDetails(type, name),
  });
}

export function badRequest(message: string) {
  return new KubeStatusError({ code: 400, reason: 'BadRequest', message });
}

/** 422 Invalid, with one cause per field. */
export function invalid(
  type: ResourceType,
  name: string,
  causes: Array<{ field: string; message: string }>,
) {
  return new KubeStatusError({
    code: 422,
    reason: 'Invalid',
    message: `${type.kind} "${name}" is invalid: ${causes
      .map(c => `${c.field}: ${c.message}`)
      .join(', ')}`,
    details: {
      ...resourceDetails(type, name),
      kind: type.kind,
      causes: causes.map(c => ({
        reason: 'FieldValueInvalid',
        message: c.message,
        field: c.field,
      })),
    },
  });
}

export function methodNotAllowed(method: string) {
  return new KubeStatusError({
    code: 405,
    reason: 'MethodNotAllowed',
    message: `the server does not allow this method on the requested resource (${method})`,
  });
}

export function unsupportedMediaType(contentType: string) {
  return new KubeStatusError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${
      contentType || 'none'
    })`,
  });
}
