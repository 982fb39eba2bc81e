/** A request the cluster refused or never answered. */
export class ClusterRequestError extends Error {
  /** The HTTP status, when the cluster answered. */
  readonly status?: number;
  /** True when the cluster could not be reached at all (no answer). */
  readonly unreachable: boolean;
  /** The cluster's own message (its Status), when it gave one. */
  readonly clusterMessage: string;

  constructor(options: {
    message: string;
    status?: number;
    unreachable: boolean;
    clusterMessage: string;
  }) {
    super(options.message);
    this.name = 'ClusterRequestError';
    this.status = options.status;
    this.unreachable = options.unreachable;
    this.clusterMessage = options.clusterMessage;
  }
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The error of a failed request to a cluster: the cluster's HTTP answer with
 * its message (and a hint on 401), or why it could not be reached.
 */
export function describeError(
  error: unknown,
  what: string,
): ClusterRequestError {
  if (error instanceof ClusterRequestError) {
    return error;
  }
  const e = error as {
    code?: unknown;
    body?: unknown;
    message?: string;
    cause?: { code?: string; message?: string };
    type?: string;
    errno?: string;
  };
  if (typeof e.code === 'number') {
    let body = e.body as { message?: string; reason?: string } | string;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
    }
    const clusterMessage =
      typeof body === 'object' && body?.message
        ? body.message
        : String(body ?? 'no message');
    const hint =
      e.code === 401
        ? " (check the cluster's authProvider and serviceAccountToken in kubernetes.clusterLocatorMethods)"
        : '';
    return new ClusterRequestError({
      message: `${what}: the cluster answered HTTP ${e.code}: ${clusterMessage}${hint}`,
      status: e.code,
      unreachable: false,
      clusterMessage,
    });
  }
  const code =
    (typeof e.code === 'string' ? e.code : undefined) ??
    e.cause?.code ??
    e.errno;
  const detail = e.cause?.message ?? e.message ?? String(error);
  return new ClusterRequestError({
    message: `${what}: ${detail}${code ? ` (${code})` : ''}`,
    unreachable:
      (code !== undefined && UNREACHABLE_CODES.has(code)) ||
      e.type === 'system' ||
      /fetch failed|socket hang up|ECONNREFUSED/.test(detail),
    clusterMessage: detail,
  });
}

/** `promise`, or a ClusterRequestError when the cluster does not answer within `ms`. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ClusterRequestError({
            message: `${what}: no answer from the cluster within ${ms} ms`,
            unreachable: false,
            clusterMessage: `timed out after ${ms} ms`,
          }),
        ),
      ms,
    );
  });
  // A request abandoned on timeout may still fail later; nobody waits for it.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
