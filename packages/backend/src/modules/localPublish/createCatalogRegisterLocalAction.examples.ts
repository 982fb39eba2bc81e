import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Make the entities that ai-platform:publish:local published appear in the catalog, and link to the Component.',
    example: yaml.stringify({
      steps: [
        {
          id: 'register-local',
          action: 'ai-platform:catalog:register-local',
          name: 'Register in the catalog',
          input: {
            catalogInfoPath:
              "${{ steps['publish-local'].output.catalogInfoPath }}",
          },
        },
      ],
      output: {
        links: [
          {
            title: 'Open in catalog',
            icon: 'catalog',
            entityRef: "${{ steps['register-local'].output.entityRef }}",
          },
        ],
      },
    }),
  },
  {
    description:
      'Register a published file and wait at most 20 seconds for the catalog to show its entities.',
    example: yaml.stringify({
      steps: [
        {
          id: 'register-local',
          action: 'ai-platform:catalog:register-local',
          name: 'Register in the catalog',
          input: {
            catalogInfoPath:
              '/srv/portal/.data/published/support-bot/catalog-info.yaml',
            timeoutSeconds: 20,
          },
        },
      ],
    }),
  },
];
