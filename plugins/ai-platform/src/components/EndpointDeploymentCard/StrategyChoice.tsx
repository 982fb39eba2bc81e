import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';

export type PromoteStrategy = 'rolling' | 'canary';

/**
 * Whether an Argo canary converted the endpoint to a Rollout (workloadRef):
 * from then on the backend refuses a promote that is not a canary
 * (docs/canary.md, "After a canary"), so the dialog offers the canary only.
 */
export function runsAsArgoRollout(history: DeploymentRecord[]): boolean {
  return history.some(
    r => r.canary?.engine === 'argo-rollouts' && r.state !== 'dry-run',
  );
}

/** The Promote dialog's choice of rolling or canary. */
export function StrategyChoice(props: {
  value: PromoteStrategy;
  onChange: (value: PromoteStrategy) => void;
  canaryOnly: boolean;
}) {
  return (
    <>
      <RadioGroup
        row
        aria-label="Strategy"
        value={props.value}
        onChange={e => props.onChange(e.target.value as PromoteStrategy)}
      >
        <FormControlLabel
          value="rolling"
          disabled={props.canaryOnly}
          control={<Radio color="primary" />}
          label="Rolling: all traffic moves to the new version"
        />
        <FormControlLabel
          value="canary"
          control={<Radio color="primary" />}
          label="Canary: a share of the traffic, step by step"
        />
      </RadioGroup>
      {props.canaryOnly && (
        <Typography variant="body2" color="textSecondary">
          A canary made this endpoint an Argo Rollout: every promote goes
          through the Rollout as a canary (one step of 100 % moves all traffic
          at once).
        </Typography>
      )}
    </>
  );
}
