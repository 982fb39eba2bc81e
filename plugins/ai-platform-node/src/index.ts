/**
 * Node library of the ai-platform plugins, for other plugins' backend
 * modules: the typed REST client (for example for scaffolder actions), the
 * permission rules, the reading of cluster config, and Kueue's API in
 * whichever version a cluster serves.
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './client';
export * from './clusters';
export * from './kueue';
