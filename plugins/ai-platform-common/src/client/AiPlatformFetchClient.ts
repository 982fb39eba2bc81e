import { ResponseError } from '@backstage/errors';
import type {
  AiPlatformOperationKey,
  AiPlatformOperations,
} from '../schema/openapi/generated';

type Operation<K extends AiPlatformOperationKey> = AiPlatformOperations[K];
type IsNever<T> = [T] extends [never] ? true : false;

/**
 * What a call of one operation sends, typed by the spec: its path
 * parameters (when the path has any), query and JSON body (when the
 * operation takes one), and extra headers (a backend's Authorization).
 */
export type AiPlatformCallOptions<K extends AiPlatformOperationKey> = (IsNever<
  Operation<K>['path']
> extends true
  ? { path?: undefined }
  : { path: Operation<K>['path'] }) &
  (IsNever<Operation<K>['query']> extends true
    ? { query?: undefined }
    : { query?: Operation<K>['query'] }) &
  (IsNever<Operation<K>['body']> extends true
    ? { body?: undefined }
    : { body: Operation<K>['body'] }) & {
    headers?: Record<string, string>;
  };

/** The (successful) answer of one operation, as the spec types it. */
export type AiPlatformResponse<K extends AiPlatformOperationKey> =
  Operation<K>['response'];

/** A `fetch` as both the frontend's fetchApi and Node offer it. */
export type AiPlatformFetch = (
  url: string,
  init: {
    method: string;
    headers?: Record<string, string>;
    body?: string;
  },
) => Promise<Response>;

/**
 * The one place that calls the ai-platform API for both typed clients (the
 * frontend's in -react and the backends' in -node): it builds the URL of an
 * operation of the spec (`'POST /endpoints/{namespace}/{name}/promote'`)
 * from its path parameters (each encoded) and query (undefined and empty
 * values left out), sends the JSON body, and turns a failed answer into a
 * `ResponseError` whose `cause.message` is the server's.
 */
export class AiPlatformFetchClient {
  private readonly baseUrl: () => Promise<string>;
  private readonly fetchImpl: AiPlatformFetch;

  constructor(options: {
    /** The plugin's base URL, e.g. from discovery's `getBaseUrl('ai-platform')`. */
    baseUrl: () => Promise<string>;
    fetch: AiPlatformFetch;
  }) {
    this.baseUrl = options.baseUrl;
    this.fetchImpl = options.fetch;
  }

  /** The URL of one call, e.g. `.../api/ai-platform/endpoints/default/chat/promote`. */
  async url<K extends AiPlatformOperationKey>(
    operation: K,
    options: AiPlatformCallOptions<K>,
  ): Promise<string> {
    const { path: pathOption, query } = options as {
      path?: object;
      query?: object;
    };
    const template = operation.slice(operation.indexOf(' ') + 1);
    const pathParameters = (pathOption ?? {}) as Record<string, unknown>;
    const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = pathParameters[name];
      if (value === undefined || value === '') {
        throw new TypeError(`${operation} needs the path parameter ${name}`);
      }
      return encodeURIComponent(String(value));
    });
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') {
        params.append(key, String(value));
      }
    }
    const search = params.toString();
    return `${await this.baseUrl()}${path}${search ? `?${search}` : ''}`;
  }

  /** Calls one operation; throws `ResponseError` unless the answer is 2xx. */
  async fetch<K extends AiPlatformOperationKey>(
    operation: K,
    options: AiPlatformCallOptions<K>,
  ): Promise<Response> {
    const method = operation.slice(0, operation.indexOf(' '));
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const response = await this.fetchImpl(await this.url(operation, options), {
      method,
      ...(Object.keys(headers).length ? { headers } : {}),
      ...(options.body === undefined
        ? {}
        : { body: JSON.stringify(options.body) }),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  /**
   * Calls one operation and answers its JSON body: as the spec types it, or
   * as the caller's richer type from -common (`T`, inferred from where the
   * answer goes), which the route tests check against the spec's response
   * schema.
   */
  async request<K extends AiPlatformOperationKey, T = AiPlatformResponse<K>>(
    operation: K,
    options: AiPlatformCallOptions<K>,
  ): Promise<T> {
    const response = await this.fetch(operation, options);
    // Parsed here rather than with response.json(), so that the objects
    // belong to the caller's realm (the scaffolder's templating accepts only
    // plain objects, and Jest runs tests in their own realm).
    return JSON.parse(await response.text());
  }
}
