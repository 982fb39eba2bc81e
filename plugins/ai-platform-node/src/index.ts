/**
 * Node library of the ai-platform plugins, for other plugins' backend
 * modules: the typed REST client (for example for scaffolder actions), the
 * permission rules and the reading of cluster config.
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './client';
export * from './clusters';
