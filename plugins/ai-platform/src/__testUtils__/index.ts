export * from './entities';
export { permissionsAllowing } from './permissions';
export { renderWithApis, unavailableCatalog } from './renderWithApis';
export { figures, groupRow, summaryOf } from './cost';
export { l4Quotas } from './quotas';
export { deploymentRecord, liveStatus } from './deployments';
export { fieldProps } from './fieldProps';
export * from './running';
