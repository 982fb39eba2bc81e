import type { DiscoveredFigures } from './types';

/**
 * The latest discovered figures of the pools that a YAML GpuPool of the same
 * name shadows, by entity ref (`gpupool:<namespace>/<name>`), for the
 * processor that shows them beside the YAML pool. In memory: each backend
 * replica knows what its own discovery runs found.
 */
export class DiscoverySnapshot {
  private figures = new Map<string, DiscoveredFigures>();

  get(entityRef: string): DiscoveredFigures | undefined {
    return this.figures.get(entityRef.toLocaleLowerCase('en-US'));
  }

  /** Replaces the snapshot; returns the refs whose figures changed (added, changed or gone). */
  replace(next: Map<string, DiscoveredFigures>): string[] {
    const normalised = new Map(
      [...next].map(([ref, f]) => [ref.toLocaleLowerCase('en-US'), f]),
    );
    const changed = new Set<string>();
    for (const [ref, f] of normalised) {
      if (JSON.stringify(this.figures.get(ref)) !== JSON.stringify(f)) {
        changed.add(ref);
      }
    }
    for (const ref of this.figures.keys()) {
      if (!normalised.has(ref)) changed.add(ref);
    }
    this.figures = normalised;
    return [...changed];
  }
}
