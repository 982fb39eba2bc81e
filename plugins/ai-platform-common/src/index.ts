/**
 * Entity kinds, JSON schemas, validators, relation and annotation names, permissions
 * and the REST API's request and response types shared by the ai-platform
 * plugins. Isomorphic: no Node or React imports.
 *
 * @packageDocumentation
 */

export * from './api';
export * from './client';
export * from './constants';
export * from './deployments';
export * from './entityRefs';
export * from './kinds';
export * from './months';
export * from './notifications';
export * from './permissions';
export * from './schema';
export * from './sizing';
