/**
 * The ai-platform backend plugin.
 *
 * @packageDocumentation
 */

export { aiPlatformPlugin as default } from './plugin';
