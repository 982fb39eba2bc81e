import Chip from '@material-ui/core/Chip';
import type { ModelStage } from '@internal/plugin-ai-platform-common';

const COLORS: Record<ModelStage, 'primary' | 'secondary' | 'default'> = {
  production: 'primary',
  staging: 'secondary',
  development: 'default',
  deprecated: 'default',
  archived: 'default',
};

/** A model version's stage as a small chip (production and staging stand out). */
export function StageChip(props: { stage: ModelStage | undefined }) {
  if (!props.stage) return null;
  return (
    <Chip
      size="small"
      label={props.stage}
      color={COLORS[props.stage]}
      variant={
        props.stage === 'deprecated' || props.stage === 'archived'
          ? 'outlined'
          : 'default'
      }
    />
  );
}
