import { createArgoRolloutsEngine } from './argoRollouts';
import { createGatewayApiEngine } from './gatewayApi';
import type { CanaryEngines } from './planCanary';

/** The two rollout engines a canary runs through (docs/canary.md). */
export function createCanaryEngines(): CanaryEngines {
  return {
    'argo-rollouts': createArgoRolloutsEngine(),
    'gateway-api': createGatewayApiEngine(),
  };
}
