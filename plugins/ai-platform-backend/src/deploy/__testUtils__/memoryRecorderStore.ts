import type { StoredDeployment } from '../DatabaseDeploymentStore';
import type { RecorderStore } from '../DeploymentRecorder';

/** The store calls of a DeploymentRecorder, in memory, with a count of heartbeats. */
export function memoryRecorderStore(): RecorderStore & {
  records: Map<string, StoredDeployment>;
  touches: number;
} {
  const records = new Map<string, StoredDeployment>();
  const store = {
    records,
    touches: 0,
    async create(deployment) {
      const id = `deployment-${records.size + 1}`;
      const at = '2026-01-01T00:00:00.000Z';
      const record: StoredDeployment = {
        ...deployment,
        id,
        revision: records.size + 1,
        checks: deployment.checks ?? [],
        events: [],
        objects: deployment.objects ?? [],
        createdAt: at,
        updatedAt: at,
      };
      records.set(id, record);
      return structuredClone(record);
    },
    async update(id, update) {
      records.set(id, { ...records.get(id)!, ...structuredClone(update) });
    },
    async appendEvent(id, event) {
      const record = records.get(id)!;
      records.set(id, { ...record, events: [...record.events, event] });
    },
    async get(id) {
      return structuredClone(records.get(id)!);
    },
    async touch() {
      store.touches += 1;
    },
  } satisfies RecorderStore & {
    records: Map<string, StoredDeployment>;
    touches: number;
  };
  return store;
}
