import { describeKindRecipe } from './__testUtils__/kindRecipe';
import {
  type InferenceEndpointEntityV1alpha1,
  inferenceEndpointEntityV1alpha1Schema,
  inferenceEndpointEntityV1alpha1Validator as validator,
} from './InferenceEndpointEntityV1alpha1';
import {
  autoRollbackEnabled,
  gpusNeeded,
  isInferenceEndpointEntity,
} from './guards';

const full: InferenceEndpointEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'InferenceEndpoint',
  metadata: { name: 'chat-assistant-prod' },
  spec: {
    type: 'vllm',
    owner: 'group:default/applied-ml',
    lifecycle: 'production',
    system: 'assistant-platform',
    model: 'model:default/llama-3-1-8b-instruct',
    modelVersion: 'v1',
    gpuPool: 'gpupool:default/l4-inference',
    namespace: 'chat',
    url: 'https://chat.example.com/v1',
    cluster: 'gpu-eu-west',
    runtime: {
      image: 'vllm/vllm-openai:v0.10.1',
      maxModelLen: 8192,
      maxNumSeqs: 64,
      tensorParallelSize: 1,
      gpuMemoryUtilization: 0.9,
      apiKeySecret: 'chat-api-key',
      hfTokenSecret: 'hf-token',
      extraArgs: ['--enable-prefix-caching'],
    },
    resources: {
      gpusPerReplica: 1,
      replicas: 2,
      minReplicas: 1,
      maxReplicas: 4,
    },
    rollout: { autoRollback: true },
    slo: {
      ttftP95Ms: 400,
      latencyP95Ms: 4000,
      availability: 99.9,
      itlP95Ms: 60,
      windowDays: 28,
    },
    providesApis: ['api:default/openai-compatible-inference'],
  },
};

describe('InferenceEndpointEntityV1alpha1', () => {
  describeKindRecipe({
    validator,
    schema: inferenceEndpointEntityV1alpha1Schema,
    full,
  });

  it('requires a pool, namespace and resources unless the endpoint is external', async () => {
    const external = structuredClone(full);
    external.spec.type = 'external';
    delete external.spec.gpuPool;
    delete external.spec.namespace;
    delete external.spec.resources;
    await expect(validator.check(external)).resolves.toBe(true);

    const served = { ...external, spec: { ...external.spec, type: 'vllm' } };
    expect(validator.validate(served as any).map(p => p.path)).toEqual([
      'spec.gpuPool',
      'spec.namespace',
      'spec.resources',
    ]);
  });

  it('checks replica bounds and tensor parallelism against the GPUs', () => {
    const entity = structuredClone(full);
    entity.spec.resources = {
      gpusPerReplica: 2,
      replicas: 3,
      minReplicas: 4,
      maxReplicas: 2,
    };
    entity.spec.runtime!.tensorParallelSize = 4;
    expect(validator.validate(entity)).toEqual([
      {
        path: 'spec.resources.minReplicas',
        message: '(4) must not be greater than replicas (3)',
      },
      {
        path: 'spec.resources.maxReplicas',
        message: '(2) must not be less than replicas (3)',
      },
      {
        path: 'spec.runtime.tensorParallelSize',
        message: '(4) must divide spec.resources.gpusPerReplica (2)',
      },
    ]);
  });

  it('names the entity, the field and the reason in the error', async () => {
    const entity = structuredClone(full);
    entity.spec.resources!.gpusPerReplica = 0;
    await expect(validator.check(entity)).rejects.toThrow(
      'InferenceEndpoint "default/chat-assistant-prod" is invalid: spec.resources.gpusPerReplica must be an integer >= 1 (got 0)',
    );
  });

  it('counts the GPUs needed for the worst case', () => {
    expect(gpusNeeded({ gpusPerReplica: 4, replicas: 2 })).toBe(8);
    expect(gpusNeeded({ gpusPerReplica: 4, replicas: 2, maxReplicas: 3 })).toBe(
      12,
    );
    expect(gpusNeeded({ gpusPerReplica: 1, replicas: 2, minReplicas: 1 })).toBe(
      2,
    );
  });

  it('rolls back on its own by default in production only, unless spec.rollout.autoRollback says otherwise', async () => {
    const spec = (lifecycle: string, autoRollback?: boolean) => ({
      spec: {
        ...full.spec,
        lifecycle,
        rollout: autoRollback === undefined ? undefined : { autoRollback },
      },
    });
    expect(autoRollbackEnabled(spec('production'))).toBe(true);
    expect(autoRollbackEnabled(spec('experimental'))).toBe(false);
    expect(autoRollbackEnabled(spec('production', false))).toBe(false);
    expect(autoRollbackEnabled(spec('experimental', true))).toBe(true);
    const wrong = structuredClone(full) as any;
    wrong.spec.rollout = { autoRollback: 'yes' };
    await expect(validator.check(wrong)).rejects.toThrow(
      /spec\.rollout\.autoRollback must be true or false \(got "yes"\)/,
    );
  });

  it('has a type guard', () => {
    expect(isInferenceEndpointEntity(full)).toBe(true);
    expect(isInferenceEndpointEntity({ ...full, kind: 'Model' })).toBe(false);
  });
});
