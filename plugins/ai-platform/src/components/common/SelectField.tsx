import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useElementId } from './useElementId';

/** One option of a {@link SelectField}. */
export type SelectOption = { value: string; label: string };

/**
 * A labelled select (an outlined text field in select mode), usable with the
 * keyboard; `anyLabel` adds an empty first option.
 */
export function SelectField(props: {
  label: string;
  value: string | undefined;
  options: SelectOption[];
  onChange: (value: string | undefined) => void;
  anyLabel?: string;
  disabled?: boolean;
  minWidth?: number;
}) {
  const id = useElementId();
  return (
    <TextField
      id={id}
      select
      label={props.label}
      value={props.value ?? ''}
      onChange={e => props.onChange(e.target.value || undefined)}
      variant="outlined"
      size="small"
      disabled={props.disabled}
      style={{ minWidth: props.minWidth ?? 180 }}
      SelectProps={{ displayEmpty: props.anyLabel !== undefined }}
      InputLabelProps={
        props.anyLabel !== undefined ? { shrink: true } : undefined
      }
    >
      {props.anyLabel !== undefined && (
        <MenuItem value="">{props.anyLabel}</MenuItem>
      )}
      {props.options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
