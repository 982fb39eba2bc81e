import {
  RELATION_API_PROVIDED_BY,
  RELATION_HAS_PART,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  RELATION_PART_OF,
  RELATION_PROVIDES_API,
} from '@backstage/catalog-model';
import {
  RELATION_BASE_OF,
  RELATION_DERIVED_FROM,
  RELATION_HOSTS,
  RELATION_RUNS_ON,
  RELATION_SERVED_BY,
  RELATION_SERVES,
} from '../constants';

/** The kinds of the ai-platform. */
export type AiPlatformKind = 'Model' | 'InferenceEndpoint' | 'GpuPool';

/**
 * A field of one of our kinds that refers to other entities, and the
 * relation pair it yields: `relation` from the entity to the target,
 * `reverse` back. The one declaration of our relations: the catalog model
 * layer emits them from it, and the catalog processor checks the kinds of
 * the references against it.
 */
export type AiPlatformRelationField = {
  /** Dot path of the field, e.g. `spec.model`; a string or a list of strings. */
  path: string;
  relation: string;
  reverse: string;
  /** The kind of a reference that names none, e.g. `Model` for `llama-3`. */
  defaultKind: string;
  /** The kinds a reference may name; the first is the default kind. */
  allowedKinds: string[];
  /** Title of the forward relation, e.g. `serves`. */
  title: string;
  /** Title of the reverse relation, e.g. `served by`. */
  reverseTitle: string;
  /** What the relation means. */
  description: string;
};

const owner: AiPlatformRelationField = {
  path: 'spec.owner',
  relation: RELATION_OWNED_BY,
  reverse: RELATION_OWNER_OF,
  defaultKind: 'Group',
  allowedKinds: ['Group', 'User'],
  title: 'owned by',
  reverseTitle: 'owner of',
  description:
    'An ownership relation where the owner is usually an organizational entity (user or group), and the other entity can be anything.',
};

const system: AiPlatformRelationField = {
  path: 'spec.system',
  relation: RELATION_PART_OF,
  reverse: RELATION_HAS_PART,
  defaultKind: 'System',
  allowedKinds: ['System'],
  title: 'part of',
  reverseTitle: 'has part',
  description:
    'A part/whole relation where an entity belongs to a system (here: a model, inference endpoint or GPU pool).',
};

/** The reference fields of each of our kinds. */
export const AI_PLATFORM_RELATION_FIELDS: Record<
  AiPlatformKind,
  readonly AiPlatformRelationField[]
> = {
  Model: [
    owner,
    system,
    {
      path: 'spec.baseModel',
      relation: RELATION_DERIVED_FROM,
      reverse: RELATION_BASE_OF,
      defaultKind: 'Model',
      allowedKinds: ['Model'],
      title: 'derived from',
      reverseTitle: 'base of',
      description:
        'Lineage: a model fine-tuned, distilled or quantized from a base model.',
    },
  ],
  InferenceEndpoint: [
    owner,
    system,
    {
      path: 'spec.model',
      relation: RELATION_SERVES,
      reverse: RELATION_SERVED_BY,
      defaultKind: 'Model',
      allowedKinds: ['Model'],
      title: 'serves',
      reverseTitle: 'served by',
      description: 'An inference endpoint serves a version of a model.',
    },
    {
      path: 'spec.gpuPool',
      relation: RELATION_RUNS_ON,
      reverse: RELATION_HOSTS,
      defaultKind: 'GpuPool',
      allowedKinds: ['GpuPool'],
      title: 'runs on',
      reverseTitle: 'hosts',
      description: 'An inference endpoint runs on the GPUs of a GPU pool.',
    },
    {
      path: 'spec.providesApis',
      relation: RELATION_PROVIDES_API,
      reverse: RELATION_API_PROVIDED_BY,
      defaultKind: 'API',
      allowedKinds: ['API'],
      title: 'provides API',
      reverseTitle: 'API provided by',
      description:
        'A relation from an inference endpoint to an API it provides for consumption by others.',
    },
  ],
  GpuPool: [owner, system],
};

/** The references of a field of an entity: none, one, or a list. */
export function referencesAt(
  entity: { spec?: Record<string, unknown> },
  path: string,
): string[] {
  const value = path
    .split('.')
    .reduce<unknown>(
      (o, key) =>
        o && typeof o === 'object'
          ? (o as Record<string, unknown>)[key]
          : undefined,
      entity,
    );
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}
