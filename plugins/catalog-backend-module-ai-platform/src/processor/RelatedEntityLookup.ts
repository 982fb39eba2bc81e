import type { AuthService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/** Finds the entities an entity refers to, for checks that span entities. */
export interface RelatedEntityLookup {
  getEntity(entityRef: string): Promise<Entity | undefined>;
}

/**
 * Looks entities up in the catalog with the plugin's own credentials, keeping
 * each answer for a short while: a processing round of many endpoints on one
 * pool then asks the catalog once per pool.
 */
export class CatalogRelatedEntityLookup implements RelatedEntityLookup {
  private readonly cache = new Map<
    string,
    { expires: number; entity: Promise<Entity | undefined> }
  >();

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      ttlMs?: number;
      now?: () => number;
    },
  ) {}

  getEntity(entityRef: string): Promise<Entity | undefined> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(entityRef);
    if (hit && hit.expires > now) {
      return hit.entity;
    }
    const entity = this.options.auth
      .getOwnServiceCredentials()
      .then(credentials =>
        this.options.catalog.getEntityByRef(entityRef, { credentials }),
      );
    this.cache.set(entityRef, {
      expires: now + (this.options.ttlMs ?? 10_000),
      entity,
    });
    // A failed lookup is not remembered.
    entity.catch(() => this.cache.delete(entityRef));
    return entity;
  }
}
