import { DEPLOYMENT_CHECK_ORDER } from '@internal/plugin-ai-platform-common';
import { DEPLOYMENT_STEPS } from './deploymentSteps';

describe('DEPLOYMENT_STEPS', () => {
  it('runs the checks in the documented order, which the pages show', () => {
    expect(DEPLOYMENT_STEPS.map(s => s.name)).toEqual(DEPLOYMENT_CHECK_ORDER);
  });
});
