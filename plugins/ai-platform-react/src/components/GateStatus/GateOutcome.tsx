import {
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type { GateResult } from '@internal/plugin-ai-platform-common';

/**
 * The outcome of one gate as a status with an icon and a word: pass, fail,
 * missing (no score yet, which fails promotion to production), or overridden.
 */
export function GateOutcome(props: {
  gate: Pick<GateResult, 'status' | 'overridden'>;
}) {
  const { status, overridden } = props.gate;
  if (status === 'pass') return <StatusOK>pass</StatusOK>;
  if (overridden) {
    return <StatusWarning>{`${status}, overridden`}</StatusWarning>;
  }
  if (status === 'missing') return <StatusWarning>missing</StatusWarning>;
  return <StatusError>fail</StatusError>;
}
