/*
 * usePermission caches answers globally (SWR), so tests in one file would see
 * each other's decisions. setupTests.ts replaces it with this mock, which
 * answers from the permissions the current test allows (renderWithApis sets
 * them). No imports of plugin-permission-react here: this module is loaded
 * while that one is being mocked.
 */

let allowed = new Set<string>();

/** Sets the permission names the next render allows. */
export function setAllowedPermissions(names: string[]): void {
  allowed = new Set(names);
}

/** usePermission for tests: allowed when the name is allowed (and a resource permission has its resourceRef). */
export function usePermissionMock(input: {
  permission: { name: string; type: string };
  resourceRef?: string;
}) {
  const needsResource = input.permission.type === 'resource';
  return {
    loading: false,
    allowed:
      allowed.has(input.permission.name) &&
      (!needsResource || Boolean(input.resourceRef)),
  };
}
