/** Data loaded with `useAsync`: what AsyncContent takes. */
export type Loaded<T> = { loading: boolean; error?: Error; value?: T };
