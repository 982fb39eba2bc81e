import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { ReactNode } from 'react';

/**
 * The loading, error and empty states of data loaded with `useAsync` (or
 * `useAsyncRetry`), with Backstage's components for each; renders the
 * children with the value otherwise.
 */
export function AsyncContent<T>(props: {
  loading: boolean;
  error?: Error;
  value?: T;
  /** When the value is there but holds nothing to show. */
  isEmpty?: (value: T) => boolean;
  emptyTitle?: string;
  emptyDescription?: string | JSX.Element;
  /** A button or link for the empty state. */
  emptyAction?: JSX.Element;
  children: (value: T) => ReactNode;
}) {
  if (props.loading && props.value === undefined) {
    return <Progress />;
  }
  if (props.error) {
    return <ResponseErrorPanel error={props.error} />;
  }
  if (props.value === undefined) {
    return <Progress />;
  }
  if (props.isEmpty?.(props.value)) {
    return (
      <EmptyState
        missing="data"
        title={props.emptyTitle ?? 'Nothing to show yet'}
        description={props.emptyDescription}
        action={props.emptyAction}
      />
    );
  }
  return <>{props.children(props.value)}</>;
}
