export * from './AiPlatformClient';
