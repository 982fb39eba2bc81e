/**
 * The ai-platform frontend library: the API client (an ApiRef on the
 * discovery and fetch APIs), number formatting, and components shared by the
 * ai-platform pages.
 *
 * @packageDocumentation
 */

export * from './api';
export * from './components';
export * from './format';
