export * from './AiPlatformFetchClient';
