import type { Entity } from '@backstage/catalog-model';
import {
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  isModelEntity,
} from './guards';

const entity = (kind: string, apiVersion = 'ai-platform.io/v1alpha1') =>
  ({ apiVersion, kind, metadata: { name: 'x' } } as Entity);

describe('guards', () => {
  it('load without the kind modules, their JSON schemas, the validators or ajv', () => {
    // Frontend chunks import the guards; what these modules load at run time
    // ends up in every such chunk. Each of these throws when loaded.
    const heavy = [
      'ajv',
      './validation',
      './ModelEntityV1alpha1',
      './InferenceEndpointEntityV1alpha1',
      './GpuPoolEntityV1alpha1',
    ];
    jest.isolateModules(() => {
      for (const name of heavy) {
        jest.doMock(name, () => {
          throw new Error(`guards.ts loaded ${name}`);
        });
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const guards: typeof import('./guards') = require('./guards');
      expect(guards.isGpuPoolEntity(entity('GpuPool'))).toBe(true);
    });
  });

  it('tell our kinds apart by kind and apiVersion', () => {
    expect(isModelEntity(entity('Model'))).toBe(true);
    expect(isModelEntity(entity('GpuPool'))).toBe(false);
    expect(isInferenceEndpointEntity(entity('InferenceEndpoint'))).toBe(true);
    expect(isGpuPoolEntity(entity('GpuPool', 'backstage.io/v1alpha1'))).toBe(
      false,
    );
  });
});
