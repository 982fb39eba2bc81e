/*
 * Benchmark: validating and relating 10,000 entities of our kinds through
 * AiPlatformEntitiesProcessor (with the cross-entity checks on), against
 * 10,000 built-in Components of similar size through the catalog's own
 * BuiltinKindsEntityProcessor. Prints entities per second and the ratio.
 *
 *   yarn bench catalog [--count 10000] [--rounds 15]
 */
import type { Entity } from '@backstage/catalog-model';
import { BuiltinKindsEntityProcessor } from '@backstage/plugin-catalog-backend';
import type {
  CatalogProcessor,
  CatalogProcessorCache,
  CatalogProcessorResult,
} from '@backstage/plugin-catalog-node';
import { AiPlatformEntitiesProcessor } from '../src/processor/AiPlatformEntitiesProcessor';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const count = arg('count', 10_000);
const rounds = arg('rounds', 15);
const location = { type: 'file', target: 'bench.yaml' };
const teams = ['applied-ml', 'search-relevance', 'data-science', 'ml-platform'];

function metadata(name: string, i: number) {
  return {
    name,
    namespace: 'default',
    title: `Generated ${name}`,
    description: `Benchmark entity number ${i}, generated for the catalog benchmark.`,
    tags: ['bench', `group-${i % 10}`],
    annotations: { 'backstage.io/managed-by-location': `file:bench/${i}.yaml` },
  };
}

function ourEntities(n: number): Entity[] {
  const out: Entity[] = [];
  const third = Math.ceil(n / 3);
  for (let i = 0; i < third; i++) {
    out.push({
      apiVersion: 'ai-platform.io/v1alpha1',
      kind: 'Model',
      metadata: metadata(`model-${i}`, i),
      spec: {
        type: 'llm',
        owner: `group:default/${teams[i % 4]}`,
        lifecycle: 'production',
        system: 'assistant-platform',
        source: `hf://org/model-${i}`,
        license: 'apache-2.0',
        parameters: 8,
        contextLength: 32768,
        architecture: { layers: 32, kvHeads: 8, headDim: 128 },
        baseModel: i > 0 ? `model:default/model-${i - 1}` : undefined,
        versions: [
          { name: 'v1', stage: 'production', dtype: 'bfloat16' },
          { name: 'v2', stage: 'staging', dtype: 'bfloat16' },
        ],
        evaluation: { gates: [{ task: 'mmlu', metric: 'acc', min: 0.6 }] },
      },
    });
    out.push({
      apiVersion: 'ai-platform.io/v1alpha1',
      kind: 'GpuPool',
      metadata: metadata(`pool-${i}`, i),
      spec: {
        type: 'shared',
        owner: 'group:default/ml-platform',
        lifecycle: 'production',
        cluster: `cluster-${i % 3}`,
        gpu: { product: 'NVIDIA-L4', memoryGiB: 24, count: 64, perNode: 8 },
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
        costPerGpuHour: { amount: 0.85, currency: 'USD' },
        quotas: [{ team: `group:default/${teams[i % 4]}`, gpus: 16 }],
      },
    });
    out.push({
      apiVersion: 'ai-platform.io/v1alpha1',
      kind: 'InferenceEndpoint',
      metadata: metadata(`endpoint-${i}`, i),
      spec: {
        type: 'vllm',
        owner: `group:default/${teams[i % 4]}`,
        lifecycle: 'production',
        system: 'assistant-platform',
        model: `model:default/model-${i}`,
        modelVersion: 'v1',
        gpuPool: `gpupool:default/pool-${i}`,
        namespace: 'chat',
        runtime: { image: 'vllm/vllm-openai:v0.10.1', maxModelLen: 8192 },
        resources: { gpusPerReplica: 1, replicas: 2, maxReplicas: 4 },
      },
    });
  }
  return out.slice(0, n).map(e => JSON.parse(JSON.stringify(e)));
}

function components(n: number): Entity[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: metadata(`component-${i}`, i),
    spec: {
      type: 'service',
      owner: `group:default/${teams[i % 4]}`,
      lifecycle: 'production',
      system: 'assistant-platform',
      subcomponentOf:
        i > 0 ? `component:default/component-${i - 1}` : undefined,
      providesApis: [`api:default/api-${i}`],
      consumesApis: [`api:default/api-${i + 1}`],
      dependsOn: [
        `resource:default/db-${i}`,
        `component:default/component-${i + 1}`,
      ],
    },
  })).map(e => JSON.parse(JSON.stringify(e)));
}

const noCache: CatalogProcessorCache = {
  get: async () => undefined,
  set: async () => {},
};

async function processAll(processor: CatalogProcessor, entities: Entity[]) {
  let relations = 0;
  const emit = (r: CatalogProcessorResult) => {
    if (r.type === 'relation') relations++;
    else if (r.type === 'error') throw r.error;
  };
  for (const entity of entities) {
    if (!(await processor.validateEntityKind!(entity))) {
      throw new Error(`not valid: ${entity.metadata.name}`);
    }
    await processor.postProcessEntity!(entity, location, emit, noCache);
  }
  return relations;
}

type Measurement = { median: number; perSecond: number; relations: number };

/**
 * Runs both sets in alternation, round after round, so that both see the same
 * machine state (JIT, GC, the other core's load); reports the medians.
 */
async function measureInterleaved(
  sets: Array<{ processor: CatalogProcessor; entities: Entity[] }>,
): Promise<Measurement[]> {
  for (const set of sets) await processAll(set.processor, set.entities); // warm up
  const times = sets.map(() => [] as number[]);
  const relations = sets.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (const [i, set] of sets.entries()) {
      const start = process.hrtime.bigint();
      relations[i] = await processAll(set.processor, set.entities);
      times[i].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  return sets.map((set, i) => {
    const sorted = times[i].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)];
    return {
      median,
      perSecond: (set.entities.length / median) * 1000,
      relations: relations[i],
    };
  });
}

async function main() {
  const ours = ourEntities(count);
  const builtin = components(count);
  const byRef = new Map(
    ours.map(e => [
      `${e.kind}:default/${e.metadata.name}`.toLocaleLowerCase('en-US'),
      e,
    ]),
  );
  const aiPlatform = new AiPlatformEntitiesProcessor({
    lookup: {
      getEntity: async ref => byRef.get(ref.toLocaleLowerCase('en-US')),
    },
  });
  const size = (es: Entity[]) =>
    Math.round(
      es.reduce((s, e) => s + JSON.stringify(e).length, 0) / es.length,
    );

  console.log(
    `Catalog processing benchmark: ${count} entities per set, median of ${rounds} rounds`,
  );
  const [a, b] = await measureInterleaved([
    { processor: aiPlatform, entities: ours },
    { processor: new BuiltinKindsEntityProcessor(), entities: builtin },
  ]);
  const row = (name: string, m: Measurement, bytes: number) =>
    console.log(
      `  ${name.padEnd(44)} ${m.perSecond
        .toFixed(0)
        .padStart(8)} entities/s  ${m.median
        .toFixed(1)
        .padStart(8)} ms  ${String(m.relations).padStart(
        6,
      )} relations  ${bytes} B/entity`,
    );
  row('ai-platform kinds (AiPlatformEntitiesProcessor)', a, size(ours));
  row('built-in Components (BuiltinKindsEntityProcessor)', b, size(builtin));
  const ratio = b.perSecond / a.perSecond;
  console.log(
    `  cost ratio (ours / built-in): ${ratio.toFixed(2)}x  (target <= 1.5x: ${
      ratio <= 1.5 ? 'met' : 'NOT met'
    })`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
