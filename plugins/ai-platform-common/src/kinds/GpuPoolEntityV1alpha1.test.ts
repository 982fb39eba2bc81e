import { describeKindRecipe } from './__testUtils__/kindRecipe';
import {
  type GpuPoolEntityV1alpha1,
  gpuPoolEntityV1alpha1Schema,
  gpuPoolEntityV1alpha1Validator as validator,
} from './GpuPoolEntityV1alpha1';
import { gpuResourceName, gpusPerNode, isGpuPoolEntity } from './guards';

const full: GpuPoolEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'GpuPool',
  metadata: { name: 'h100-inference' },
  spec: {
    type: 'shared',
    owner: 'group:default/ml-platform',
    lifecycle: 'production',
    system: 'gpu-platform',
    cluster: 'gpu-us-east',
    gpu: {
      product: 'NVIDIA-H100-80GB-HBM3',
      memoryGiB: 80,
      count: 32,
      perNode: 8,
      resourceName: 'nvidia.com/gpu',
    },
    nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
    tolerations: [
      {
        key: 'nvidia.com/gpu',
        operator: 'Exists',
        value: '',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ],
    kueue: {
      clusterQueue: 'h100-inference',
      localQueue: 'inference',
      resourceFlavor: 'h100-80gb',
    },
    costPerGpuHour: { amount: 4.1, currency: 'USD' },
    quotas: [{ team: 'group:default/applied-ml', gpus: 16 }],
    region: 'us-east-1',
  },
};

describe('GpuPoolEntityV1alpha1', () => {
  describeKindRecipe({
    validator,
    schema: gpuPoolEntityV1alpha1Schema,
    full,
    // Kubernetes tolerations match an empty taint value.
    emptyAllowed: ['spec.tolerations[0].value'],
  });

  it('defaults perNode to count and the resource to nvidia.com/gpu', () => {
    const gpu = { product: 'NVIDIA-L4', memoryGiB: 24, count: 4 };
    expect(gpusPerNode(gpu)).toBe(4);
    expect(gpuResourceName(gpu)).toBe('nvidia.com/gpu');
    expect(
      gpuResourceName({ ...gpu, resourceName: 'nvidia.com/mig-3g.40gb' }),
    ).toBe('nvidia.com/mig-3g.40gb');
  });

  it('rejects perNode above count, a MIG pool on whole GPUs, and two quotas for one team', () => {
    const entity = structuredClone(full);
    entity.spec.type = 'mig';
    entity.spec.gpu.perNode = 64;
    entity.spec.quotas!.push({ team: 'group:default/Applied-ML', gpus: 2 });
    expect(validator.validate(entity).map(p => p.path)).toEqual([
      'spec.gpu.perNode',
      'spec.gpu.resourceName',
      'spec.quotas[1].team',
    ]);
  });

  it('rejects a price in a made-up currency', async () => {
    const entity = structuredClone(full);
    entity.spec.costPerGpuHour = { amount: 1, currency: 'dollars' };
    await expect(validator.check(entity)).rejects.toThrow(
      'spec.costPerGpuHour.currency must be a string that is a three-letter ISO 4217 code such as USD (got "dollars")',
    );
  });

  it('has a type guard', () => {
    expect(isGpuPoolEntity(full)).toBe(true);
    expect(isGpuPoolEntity({ ...full, apiVersion: 'v1' })).toBe(false);
  });
});
