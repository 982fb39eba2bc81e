import type { Entity } from '@backstage/catalog-model';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { TestApiProvider } from '@backstage/test-utils';
import { renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { useEntityTitles } from './useEntityTitles';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'applied-ml', namespace: 'default', title: 'Applied ML' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'no-title', namespace: 'research' },
    spec: { type: 'team', children: [] },
  },
];

/** The in-memory catalog's getEntitiesByRefs, watched. */
function inMemoryCatalog() {
  const catalog = catalogApiMock({ entities });
  return jest.fn(catalog.getEntitiesByRefs.bind(catalog));
}

function render(
  values: string[],
  getEntitiesByRefs: jest.Mock = inMemoryCatalog(),
) {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider apis={[[catalogApiRef, { getEntitiesByRefs }]]}>
      {children}
    </TestApiProvider>
  );
  return {
    getEntitiesByRefs,
    ...renderHook(() => useEntityTitles(values), { wrapper }),
  };
}

describe('useEntityTitles', () => {
  it('reads every title in one request for only the fields it needs', async () => {
    const { result, getEntitiesByRefs } = render([
      'group:default/applied-ml',
      'group:research/no-title',
      'group:default/unknown',
      'group:default/applied-ml',
      'gpu-us-east',
    ]);
    await waitFor(() =>
      expect(result.current('group:default/applied-ml')).toBe('Applied ML'),
    );
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(getEntitiesByRefs).toHaveBeenCalledWith({
      entityRefs: [
        'group:default/applied-ml',
        'group:default/unknown',
        'group:research/no-title',
      ],
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    // No title: the name (with a namespace other than default); unknown to
    // the catalog: the name; not a ref (a cluster): as it is.
    expect(result.current('group:research/no-title')).toBe('research/no-title');
    expect(result.current('group:default/unknown')).toBe('unknown');
    expect(result.current('gpu-us-east')).toBe('gpu-us-east');
  });

  it('falls back to names while loading and when the catalog fails', async () => {
    const getEntitiesByRefs = jest.fn(async () => {
      throw new Error('catalog down');
    });
    const { result } = render(['group:default/applied-ml'], getEntitiesByRefs);
    expect(result.current('group:default/applied-ml')).toBe('applied-ml');
    await waitFor(() => expect(getEntitiesByRefs).toHaveBeenCalled());
    expect(result.current('group:default/applied-ml')).toBe('applied-ml');
  });

  it('asks nothing when there are no refs', () => {
    const { result, getEntitiesByRefs } = render(['gpu-us-east']);
    expect(result.current('gpu-us-east')).toBe('gpu-us-east');
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
  });
});
