import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Deploy the InferenceEndpoint of the catalog-info.yaml that fetch:template wrote (not in the catalog yet), with a reason for the audit log.',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'ai-platform:endpoint:deploy',
          name: 'Deploy the endpoint',
          input: {
            catalogInfoPath: 'catalog-info.yaml',
            reason: 'Created from the vllm-service template',
          },
        },
      ],
    }),
  },
  {
    description:
      'Dry run of an endpoint in the catalog: the checks run and the cluster validates the objects; nothing is reserved or applied.',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'ai-platform:endpoint:deploy',
          name: 'Check the deployment',
          input: {
            endpoint: 'inferenceendpoint:default/chat-assistant-staging',
            dryRun: true,
          },
        },
      ],
    }),
  },
  {
    description:
      'Deploy although an eval gate has no result yet (needs the ai-platform.gate.override permission), following the rollout for at most 10 minutes.',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'ai-platform:endpoint:deploy',
          name: 'Deploy the endpoint',
          input: {
            endpoint: 'inferenceendpoint:default/chat-assistant-prod',
            overrideGates: true,
            reason: 'Hotfix; the eval run is scheduled for tonight',
            timeoutMinutes: 10,
          },
        },
      ],
    }),
  },
];
