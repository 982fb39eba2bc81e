/**
 * Node library of the ai-platform plugins, for other plugins' backend
 * modules (for example a permission policy).
 *
 * @packageDocumentation
 */

export * from './permissions';
export * from './clusters';
