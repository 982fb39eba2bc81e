import { EmptyState, InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { isInferenceEndpointEntity } from '@internal/plugin-ai-platform-common';
import { formatNumber } from '@internal/plugin-ai-platform-react';
import { MetadataTable } from '../common/MetadataTable';

/** An InferenceEndpoint's service level objectives. */
export function EndpointSloCard() {
  const { entity } = useEntity();
  const slo = isInferenceEndpointEntity(entity) ? entity.spec.slo : undefined;
  const hasTargets =
    slo &&
    (slo.ttftP95Ms !== undefined ||
      slo.latencyP95Ms !== undefined ||
      slo.availability !== undefined);
  return (
    <InfoCard title="SLO targets">
      {hasTargets ? (
        <MetadataTable
          label="SLO targets"
          rows={[
            [
              'Time to first token (p95)',
              slo.ttftP95Ms !== undefined
                ? `≤ ${formatNumber(slo.ttftP95Ms, 0)} ms`
                : undefined,
            ],
            [
              'Request latency (p95)',
              slo.latencyP95Ms !== undefined
                ? `≤ ${formatNumber(slo.latencyP95Ms, 0)} ms`
                : undefined,
            ],
            [
              'Availability',
              slo.availability !== undefined
                ? `≥ ${slo.availability}%`
                : undefined,
            ],
          ]}
        />
      ) : (
        <EmptyState
          missing="field"
          title="No SLO targets"
          description="Set spec.slo (ttftP95Ms, latencyP95Ms, availability) on the endpoint."
        />
      )}
    </InfoCard>
  );
}
