import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  type CostFigures,
  isGpuPoolEntity,
  sameEntityRef,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatCurrency,
  formatGpuHours,
  formatShare,
} from '@internal/plugin-ai-platform-react';
import useAsync from 'react-use/esm/useAsync';
import { costRouteRef } from '../../routes';
import { MetadataTable } from '../common/MetadataTable';
import { usePageLink } from '../common/usePageLink';

/**
 * Mean GPU utilisation over the GPU-hours whose utilisation is known
 * (1 - idle GPU-hours / known GPU-hours), or undefined when none is known.
 */
export function utilizationOf(row: CostFigures): number | undefined {
  const known = row.gpuHours * row.utilizationCoverage;
  if (known <= 0) return undefined;
  return 1 - row.idleGpuHours / known;
}

/**
 * A pool's cost over the last 30 days, its utilisation and idle cost where
 * DCGM utilisation is known, and its price per GPU-hour.
 */
export function GpuPoolCostCard() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const ref = stringifyEntityRef(entity);
  const costLink = usePageLink(costRouteRef);
  const price = isGpuPoolEntity(entity)
    ? entity.spec.costPerGpuHour
    : undefined;
  const state = useAsync(async () => {
    const summary = await api.getCostSummary({ groupBy: 'pool' });
    return summary.groups.filter(g => sameEntityRef(g.key, ref));
  }, [api, ref]);
  return (
    <InfoCard
      title="Cost and utilisation, last 30 days"
      deepLink={costLink ? { title: 'All cost', link: costLink } : undefined}
    >
      <AsyncContent
        {...state}
        isEmpty={rows => rows.length === 0}
        emptyTitle="No usage recorded in the last 30 days"
        emptyDescription={
          price
            ? `Price per GPU-hour: ${formatCurrency(
                price.amount,
                price.currency,
              )}`
            : undefined
        }
      >
        {rows =>
          rows.map(row => {
            const utilization = utilizationOf(row);
            return (
              <MetadataTable
                key={row.currency}
                label={`Pool cost in ${row.currency}`}
                rows={[
                  [
                    'Price per GPU-hour',
                    price
                      ? formatCurrency(price.amount, price.currency)
                      : 'not set',
                  ],
                  ['Cost', formatCurrency(row.cost, row.currency)],
                  ['GPU-hours', formatGpuHours(row.gpuHours)],
                  [
                    'Utilisation',
                    utilization === undefined
                      ? 'unknown (needs DCGM utilisation from Prometheus)'
                      : `${formatShare(utilization)} (known for ${formatShare(
                          row.utilizationCoverage,
                        )} of GPU-hours)`,
                  ],
                  [
                    'Idle cost',
                    utilization === undefined
                      ? 'unknown'
                      : formatCurrency(row.idleCost, row.currency),
                  ],
                ]}
              />
            );
          })
        }
      </AsyncContent>
    </InfoCard>
  );
}
