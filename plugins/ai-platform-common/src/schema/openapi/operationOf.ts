/**
 * The request and response types of one operation of the generated `paths`
 * (openapi-typescript's output, in `generated/types.ts`): what the typed
 * client sends and gets, and what the backend's typed router hands its
 * handlers.
 */

/** The body of a request or response: JSON, else CSV text; `void` without content. */
type BodyOf<R> = R extends { content: infer C }
  ? C extends { 'application/json': infer J }
    ? J
    : C extends { 'text/csv': infer T }
    ? T
    : unknown
  : void;

type SuccessStatus = 200 | 201 | 202 | 204;

/** A parameter group (`path`, `query`) of an operation; `never` when it has none. */
type ParametersOf<O, In extends 'path' | 'query'> = O extends {
  parameters: infer P;
}
  ? P extends { [K in In]?: infer X }
    ? Exclude<X, undefined>
    : never
  : never;

/** One operation's path parameters, query, body and successful response. */
export type OperationOf<O> = {
  path: ParametersOf<O, 'path'>;
  query: ParametersOf<O, 'query'>;
  body: O extends { requestBody?: infer B }
    ? BodyOf<Exclude<B, undefined>>
    : never;
  response: O extends { responses: infer Rs }
    ? {
        [S in keyof Rs]: S extends SuccessStatus ? BodyOf<Rs[S]> : never;
      }[keyof Rs]
    : never;
};
