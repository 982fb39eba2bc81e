import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Publish the whole workspace into the portal's local publish folder, under the service's name.",
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-local',
          action: 'ai-platform:publish:local',
          name: 'Publish locally',
          input: { name: 'support-bot' },
        },
      ],
    }),
  },
  {
    description:
      'Publish only a subfolder of the workspace, replacing an earlier publication of the same name.',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-local',
          action: 'ai-platform:publish:local',
          name: 'Publish locally',
          input: {
            name: 'support-bot',
            sourcePath: 'service',
            overwrite: true,
          },
        },
      ],
    }),
  },
];
