import { NotFoundError } from '@backstage/errors';
import type {
  QuotaDrift,
  TeamPoolUsage,
} from '@internal/plugin-ai-platform-common';
import type { Knex } from 'knex';
import type { RunningFleetService } from '../cost/RunningFleetService';
import { DatabaseQuotaStore } from './DatabaseQuotaStore';
import type { QuotaHolding } from './quotaEvaluation';

/**
 * Quota use from the same truth as cost: per team and pool, the GPUs the
 * deployment records reserve (gpu_allocations, plus the surge of rollouts
 * in progress) beside the GPUs running in the cluster (RunningFleetService,
 * from the collector's last listing), and the drift between them: more
 * running than reserved, something running with no record, or a record
 * with nothing running. Reads only; the deploy-time reservation rule (worst
 * case from the records, no cluster call) is QuotaService's and unchanged.
 */
export class QuotaUsageService {
  constructor(
    private readonly options: { knex: Knex; running: RunningFleetService },
  ) {}

  /** Allocations and the surge of rollouts in progress, as the quota store reads them. */
  private async reservations(): Promise<QuotaHolding[]> {
    const store = DatabaseQuotaStore.create({ knex: this.options.knex });
    return (await store.readState()).holdings;
  }

  async usage(
    options: { pool?: string; team?: string } = {},
  ): Promise<TeamPoolUsage[]> {
    const { snapshot, fleet, clusters } = await this.options.running.current();
    const pools = new Map(snapshot.pools.map(p => [p.ref, p]));
    if (options.pool && !pools.has(options.pool)) {
      throw new NotFoundError(`${options.pool} is not in the catalog`);
    }
    const clusterOf = new Map(clusters.map(c => [c.cluster, c]));
    const rows = new Map<string, TeamPoolUsage>();
    const row = (team: string, pool: string): TeamPoolUsage => {
      const key = `${team}\u0000${pool}`;
      let r = rows.get(key);
      if (!r) {
        const cluster = pools.get(pool)?.cluster ?? '';
        const state = clusterOf.get(cluster);
        r = {
          team,
          pool,
          cluster,
          reserved: 0,
          running: 0,
          basis: state?.basis ?? 'none',
          ...(state?.observedAt ? { observedAt: state.observedAt } : {}),
          declaredNotRunning: [],
          drift: [],
        };
        rows.set(key, r);
      }
      return r;
    };

    const reserved = new Map<string, number>();
    for (const r of await this.reservations()) {
      row(r.team, r.pool).reserved += r.gpus;
      reserved.set(r.endpoint, (reserved.get(r.endpoint) ?? 0) + r.gpus);
    }
    for (const run of fleet.endpoints) {
      const r = row(run.endpoint.teamRef, run.endpoint.poolRef);
      r.running += run.gpus;
      const recorded = reserved.has(run.endpoint.ref);
      if (run.basis === 'none') continue;
      if (run.state === 'running' && !recorded) {
        r.drift.push({
          kind: 'running-without-record',
          endpointRef: run.endpoint.ref,
          message: `${run.endpoint.ref} runs ${run.gpus} GPUs${
            run.origin === 'outside-portal'
              ? ' (deployed outside the portal)'
              : ''
          } with no deployment record reserving them`,
        });
      }
      if (run.state !== 'running') {
        r.declaredNotRunning.push(run.endpoint.ref);
        if (recorded) {
          r.drift.push({
            kind: 'record-not-running',
            endpointRef: run.endpoint.ref,
            message: `${
              run.endpoint.ref
            } has a deployment record reserving ${reserved.get(
              run.endpoint.ref,
            )} GPUs and nothing running`,
          });
        }
      }
    }
    // Workloads no catalog endpoint has, with the owner they name.
    const poolOfCluster = (cluster: string) =>
      snapshot.pools.filter(p => p.cluster === cluster);
    for (const w of fleet.unmatched) {
      if (!w.owner || w.gpus <= 0) continue;
      const candidates = poolOfCluster(w.cluster);
      if (candidates.length !== 1) continue;
      const r = row(w.owner, candidates[0].ref);
      r.running += w.gpus;
      r.drift.push({
        kind: 'running-without-record',
        workload: `${w.cluster}/${w.namespace}/${w.workload}`,
        message: `${w.namespace}/${w.workload} in ${w.cluster} runs ${w.gpus} GPUs and names no endpoint in the catalog`,
      });
    }
    for (const r of rows.values()) {
      if (r.running > r.reserved) {
        r.drift.unshift({
          kind: 'running-over-reserved',
          message: `${r.team} runs ${r.running} GPUs on ${r.pool}, more than the ${r.reserved} its records reserve`,
        } as QuotaDrift);
      }
    }
    return [...rows.values()]
      .filter(
        r =>
          (!options.pool || r.pool === options.pool) &&
          (!options.team || r.team === options.team),
      )
      .sort(
        (a, b) => a.pool.localeCompare(b.pool) || a.team.localeCompare(b.team),
      );
  }
}
