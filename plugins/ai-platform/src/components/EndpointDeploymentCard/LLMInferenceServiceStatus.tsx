import { Link, StatusOK, StatusWarning } from '@backstage/core-components';
import type { EndpointLiveStatus } from '@internal/plugin-ai-platform-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';

type LLMInferenceService = NonNullable<
  EndpointLiveStatus['llmInferenceService']
>;

/** `Ready False (Reason): message`, the way the conditions read in kubectl. */
function describe(c: LLMInferenceService['conditions'][number]): string {
  return `${c.status}${c.reason ? ` (${c.reason})` : ''}${
    c.message ? `: ${c.message}` : ''
  }`;
}

/** The human name of a deploy target, for the endpoint page and the template. */
export function deployTargetLabel(
  target: EndpointLiveStatus['target'],
): string {
  if (target === 'llm-inference-service') {
    return 'KServe LLMInferenceService (KServe makes the workload, its Service and router)';
  }
  if (target === 'deployment') {
    return 'Kubernetes Deployment (with Service, PodDisruptionBudget and autoscaler)';
  }
  return 'not known: the pool’s cluster could not be read';
}

/**
 * The live state of an endpoint served by a KServe LLMInferenceService:
 * whether KServe reports it Ready (and for which generation), where it
 * answers (status.url), the workload Deployment KServe made, and every
 * condition with its reason and message.
 */
export function LLMInferenceServiceStatus(props: {
  service: LLMInferenceService;
}) {
  const s = props.service;
  const ready = s.conditions.find(c => c.type === 'Ready');
  const generation =
    s.generation !== undefined
      ? ` (generation ${s.observedGeneration ?? 0} of ${
          s.generation
        } seen by KServe)`
      : '';
  return (
    <>
      {s.ready ? (
        <StatusOK>{`LLMInferenceService ${s.name} is Ready${generation}`}</StatusOK>
      ) : (
        <StatusWarning>
          {`LLMInferenceService ${s.name} is not ready${generation}${
            ready ? `: Ready ${describe(ready)}` : ': no Ready condition yet'
          }`}
        </StatusWarning>
      )}
      <Typography variant="body2">
        {'URL: '}
        {s.url ? <Link to={s.url}>{s.url}</Link> : 'none yet'}
        {s.workload
          ? ` · workload Deployment ${s.workload} (made by KServe)`
          : ''}
      </Typography>
      {s.conditions.length > 0 && (
        <Table size="small" aria-label="LLMInferenceService conditions">
          <TableHead>
            <TableRow>
              <TableCell>Condition</TableCell>
              <TableCell>Status</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {s.conditions.map(c => (
              <TableRow key={c.type}>
                <TableCell>{c.type}</TableCell>
                <TableCell>{describe(c)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
