export * from './entities';
export { permissionsAllowing } from './permissions';
export { renderWithApis } from './renderWithApis';
