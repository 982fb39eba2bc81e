import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Size a model version on a GPU pool at its full context length, and fail the task when it does not fit.',
    example: yaml.stringify({
      steps: [
        {
          id: 'size',
          action: 'ai-platform:model:size',
          name: 'Size the model on the pool',
          input: {
            model: 'model:default/llama-3-1-8b-instruct',
            modelVersion: 'v2',
            pool: 'gpupool:default/l4-inference',
          },
        },
      ],
    }),
  },
  {
    description:
      'Size from the form at a shorter context with several sequences at once, and continue when it does not fit (the output says so).',
    example: yaml.stringify({
      steps: [
        {
          id: 'size',
          action: 'ai-platform:model:size',
          name: 'Size the model on the pool',
          input: {
            model: '${{ parameters.model }}',
            modelVersion: '${{ parameters.modelVersion }}',
            pool: '${{ parameters.gpuPool }}',
            maxModelLen: 8192,
            concurrentSequences: 4,
            allowNoFit: true,
          },
        },
      ],
    }),
  },
];
