import { ResponseError } from '@backstage/errors';

/**
 * The message to show for a failed call: for an answer of the ai-platform (or
 * catalog) API, the server's own message and status; otherwise the error's.
 */
export function describeError(error: unknown): string {
  if (ResponseError.is(error)) {
    const serverMessage = error.cause?.message;
    return serverMessage
      ? `${serverMessage} (HTTP ${error.statusCode})`
      : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
