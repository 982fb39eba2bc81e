import gpuPool from './catalogModel/GpuPool.v1alpha1.json';
import inferenceEndpoint from './catalogModel/InferenceEndpoint.v1alpha1.json';
import model from './catalogModel/Model.v1alpha1.json';
import type { AiPlatformKind } from './relationFields';

/**
 * The spec-only schemas of one kind, per version and spec type, in the form
 * a catalog model layer takes them (`createCatalogModelLayer` of
 * `@backstage/catalog-model/alpha`): no kind, apiVersion or metadata, and no
 * combinators at the root or on `spec`. Generated from the kind schema by
 * `scripts/generate-schemas.mjs`.
 */
export type CatalogModelKindSchemas = {
  kind: string;
  apiVersion: string;
  versions: Array<{
    /** The spec types this version applies to; absent for the default. */
    specType?: string[];
    description?: string;
    jsonSchema: { type: 'object'; [key: string]: unknown };
  }>;
};

/** {@link CatalogModelKindSchemas} of each of our kinds. */
export const aiPlatformCatalogModelSchemas: Record<
  AiPlatformKind,
  CatalogModelKindSchemas
> = {
  Model: model as CatalogModelKindSchemas,
  InferenceEndpoint: inferenceEndpoint as CatalogModelKindSchemas,
  GpuPool: gpuPool as CatalogModelKindSchemas,
};
