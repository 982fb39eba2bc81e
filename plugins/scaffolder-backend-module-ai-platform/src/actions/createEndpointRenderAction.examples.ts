import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Render an endpoint that is in the catalog into deploy/kubernetes (one file per object and a kustomization.yaml).',
    example: yaml.stringify({
      steps: [
        {
          id: 'render',
          action: 'ai-platform:endpoint:render',
          name: 'Render the Kubernetes manifests',
          input: {
            endpoint: 'inferenceendpoint:default/chat-assistant-staging',
          },
        },
      ],
    }),
  },
  {
    description:
      'Render the InferenceEndpoint of the catalog-info.yaml that fetch:template wrote, as one multi-document file.',
    example: yaml.stringify({
      steps: [
        {
          id: 'render',
          action: 'ai-platform:endpoint:render',
          name: 'Render the Kubernetes manifests',
          input: {
            catalogInfoPath: 'catalog-info.yaml',
            targetPath: 'k8s',
            singleFile: true,
          },
        },
      ],
    }),
  },
  {
    description:
      'Render a whole InferenceEndpoint entity that is not in the catalog yet, at another model version.',
    example: yaml.stringify({
      steps: [
        {
          id: 'render',
          action: 'ai-platform:endpoint:render',
          name: 'Render the Kubernetes manifests',
          input: {
            modelVersion: 'v2-fp8',
            endpoint: {
              apiVersion: 'ai-platform.io/v1alpha1',
              kind: 'InferenceEndpoint',
              metadata: { name: 'support-bot' },
              spec: {
                type: 'vllm',
                owner: 'group:default/applied-ml',
                lifecycle: 'experimental',
                model: 'model:default/llama-3-1-8b-instruct',
                modelVersion: 'v2',
                gpuPool: 'gpupool:default/l4-inference',
                namespace: 'support',
                runtime: { maxModelLen: 8192, hfTokenSecret: 'hf-token' },
                resources: { gpusPerReplica: 1, replicas: 1 },
              },
            },
          },
        },
      ],
    }),
  },
];
