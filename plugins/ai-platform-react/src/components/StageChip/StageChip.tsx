import Chip from '@material-ui/core/Chip';
import type { ModelStage } from '@internal/plugin-ai-platform-common';

// Production filled and staging outlined in the primary colour, the others
// grey (outlined once retired). Not the secondary colour: white on Backstage's
// light-theme pink is below a readable contrast (4.2:1).
const LOOKS: Record<
  ModelStage,
  { color: 'primary' | 'default'; variant: 'default' | 'outlined' }
> = {
  production: { color: 'primary', variant: 'default' },
  staging: { color: 'primary', variant: 'outlined' },
  development: { color: 'default', variant: 'default' },
  deprecated: { color: 'default', variant: 'outlined' },
  archived: { color: 'default', variant: 'outlined' },
};

/** A model version's stage as a small chip (production and staging stand out). */
export function StageChip(props: { stage: ModelStage | undefined }) {
  if (!props.stage) return null;
  return <Chip size="small" label={props.stage} {...LOOKS[props.stage]} />;
}
