import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { readDeployOptions } from '../types';
import { clusterTarget, readClusterTargets } from './clusterTargets';
import { targetOfManifests, targetServed } from './servedTargets';

const deployConfig = (clusters: JsonObject) =>
  new ConfigReader({ aiPlatform: { deploy: { clusters } } });

describe('readClusterTargets', () => {
  it('reads each cluster target and its router; others are deployment', () => {
    const options = readDeployOptions(
      deployConfig({
        'gpu-eu-west': {
          target: 'llm-inference-service',
          llmInferenceService: {
            router: {
              gateway: { name: 'inference-gateway', namespace: 'gateways' },
              inferencePool: 'shared',
            },
          },
        },
        'gpu-us-east': { target: 'deployment' },
      }),
    );
    expect(options.clusterTargets).toEqual({
      'gpu-eu-west': {
        target: 'llm-inference-service',
        router: {
          gateway: { name: 'inference-gateway', namespace: 'gateways' },
          scheduler: true,
          inferencePool: 'shared',
        },
      },
      'gpu-us-east': { target: 'deployment' },
    });
    expect(clusterTarget(options.clusterTargets, 'elsewhere')).toEqual({
      target: 'deployment',
    });
    expect(
      readDeployOptions(new ConfigReader({})).clusterTargets,
    ).toBeUndefined();
  });

  it('names the key of a bad value', () => {
    expect(() =>
      readClusterTargets(
        deployConfig({ a: { target: 'kserve' } }).getConfig(
          'aiPlatform.deploy',
        ),
      ),
    ).toThrow(
      'aiPlatform.deploy.clusters.a.target must be one of deployment, llm-inference-service, not "kserve"',
    );
    expect(() =>
      readClusterTargets(
        deployConfig({
          a: {
            target: 'llm-inference-service',
            llmInferenceService: {
              router: { gateway: { name: 'Not_A_Name' } },
            },
          },
        }).getConfig('aiPlatform.deploy'),
      ),
    ).toThrow(
      'aiPlatform.deploy.clusters.a.llmInferenceService.router.gateway.name must be a Kubernetes name',
    );
  });
});

describe('targetServed', () => {
  it('serves deployments everywhere and LLMInferenceService only in v1alpha2', () => {
    expect(targetServed('deployment', { deployment: true }, 'c').ok).toBe(true);
    expect(
      targetServed(
        'llm-inference-service',
        {
          deployment: true,
          llmInferenceService: { versions: ['v1alpha2', 'v1alpha1'] },
        },
        'c',
      ).ok,
    ).toBe(true);
    expect(
      targetServed(
        'llm-inference-service',
        { deployment: true, llmInferenceService: { versions: ['v1alpha1'] } },
        'c',
      ),
    ).toEqual({
      ok: false,
      message: expect.stringContaining(
        'serving.kserve.io is served in v1alpha1 only',
      ),
    });
  });

  it('keeps the target a restored revision was rendered for', () => {
    const llm = { target: 'llm-inference-service' as const };
    expect(
      targetOfManifests([{ apiVersion: 'apps/v1', kind: 'Deployment' }], llm),
    ).toBe('deployment');
    expect(targetOfManifests([], llm)).toBe('llm-inference-service');
    expect(
      targetOfManifests(
        [
          {
            apiVersion: 'serving.kserve.io/v1alpha2',
            kind: 'LLMInferenceService',
          },
        ],
        { target: 'deployment' },
      ),
    ).toBe('llm-inference-service');
  });
});
