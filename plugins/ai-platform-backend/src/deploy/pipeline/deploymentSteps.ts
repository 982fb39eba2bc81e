import { applyStep } from './applyStep';
import { gatesCheck } from './gatesCheck';
import { identityCheck } from './identityCheck';
import { lifecycleCheck } from './lifecycleCheck';
import { namespaceCheck } from './namespaceCheck';
import { ownershipCheck } from './ownershipCheck';
import { permissionCheck } from './permissionCheck';
import { quotaCheck } from './quotaCheck';
import { rolloutStep } from './rolloutStep';
import { sizingCheck } from './sizingCheck';
import { targetCheck } from './targetCheck';
import type { DeploymentStep } from './types';

/**
 * The steps of every deployment, in the order they run (architecture.md,
 * data flow 3; the same order as DEPLOYMENT_CHECK_ORDER, which the pages
 * show). A new check is a file in this folder exporting a DeploymentStep,
 * its name in DeploymentCheckName and DEPLOYMENT_CHECK_ORDER, and one line
 * here.
 */
export const DEPLOYMENT_STEPS: readonly DeploymentStep[] = [
  permissionCheck,
  identityCheck,
  namespaceCheck,
  targetCheck,
  ownershipCheck,
  lifecycleCheck,
  sizingCheck,
  gatesCheck,
  quotaCheck,
  applyStep,
  rolloutStep,
];
