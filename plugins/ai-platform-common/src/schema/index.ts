export * from './openapi/generated';
export type { OperationOf } from './openapi/operationOf';
