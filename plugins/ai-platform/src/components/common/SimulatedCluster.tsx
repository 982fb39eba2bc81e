import { configApiRef, useApi } from '@backstage/core-plugin-api';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';

/** The clusters the demo simulates (`aiPlatform.demo.simulatedClusters`). */
export function useSimulatedClusters(): string[] {
  const config = useApi(configApiRef);
  return (
    config.getOptionalStringArray('aiPlatform.demo.simulatedClusters') ?? []
  );
}

const EXPLANATION =
  'A simulated cluster of the demo: a fake Kubernetes API server with simulated GPU nodes. Deployments are applied to it and its pods start, but nothing runs on a real GPU; its serving metrics come from a simulated Prometheus.';

/** A small "Simulated cluster" badge beside a cluster the demo simulates; nothing for a real one. */
export function SimulatedClusterBadge(props: { cluster?: string }) {
  const simulated = useSimulatedClusters();
  if (!props.cluster || !simulated.includes(props.cluster)) return null;
  return (
    <Chip
      size="small"
      variant="outlined"
      label="Simulated cluster"
      title={EXPLANATION}
      style={{ marginLeft: 8 }}
    />
  );
}

/** One line saying which clusters (and metrics) are simulated, for pages that sum their data; nothing without any. */
export function SimulatedClustersNote() {
  const simulated = useSimulatedClusters();
  if (!simulated.length) return null;
  return (
    <Typography variant="body2" color="textSecondary" paragraph>
      {`Demo data: clusters ${simulated.join(
        ', ',
      )} are simulated (fake Kubernetes API servers with simulated GPU nodes), and so are their serving metrics (tokens, latency, GPU utilisation, from a simulated Prometheus). Usage before the portal's first start is generated history.`}
    </Typography>
  );
}
