import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  isModelEntity,
  type ModelVersion,
} from '@internal/plugin-ai-platform-common';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';

/** `ui:options` of the ModelVersionPicker field. */
export type ModelVersionPickerUiOptions = {
  /** The form field that holds the Model entity ref. @default model */
  modelField?: string;
};

/**
 * One version as the list shows it: name, stage and weight format; a
 * deprecated version says it needs an admin's override to deploy.
 */
export function describeVersion(version: ModelVersion): string {
  const format = version.quantization ?? version.dtype;
  const label = `${version.name} (${version.stage}${
    format ? `, ${format}` : ''
  })`;
  return version.stage === 'deprecated'
    ? `${label}: deprecated, deploys only on a platform admin's override`
    : label;
}

/**
 * A scaffolder form field that lists the versions of the Model chosen in
 * another field of the form (`ui:options.modelField`, default `model`), read
 * from the catalog, with their stage. Its value is the version's name.
 * Archived (retired) versions never deploy, so they are not offered.
 */
export const ModelVersionPicker = (
  props: FieldExtensionComponentProps<string, ModelVersionPickerUiOptions>,
) => {
  const {
    formData,
    onChange,
    uiSchema,
    formContext,
    rawErrors,
    required,
    schema,
    idSchema,
    disabled,
  } = props;
  const catalogApi = useApi(catalogApiRef);
  const modelField = uiSchema?.['ui:options']?.modelField ?? 'model';
  const modelRef = formContext?.formData?.[modelField] as string | undefined;

  const {
    value: model,
    loading,
    error,
  } = useAsync(async () => {
    if (!modelRef) return undefined;
    const entity = await catalogApi.getEntityByRef(modelRef);
    if (!entity) throw new Error(`${modelRef} is not in the catalog`);
    if (!isModelEntity(entity)) throw new Error(`${modelRef} is not a Model`);
    return entity;
  }, [catalogApi, modelRef]);

  const versions = (model?.spec.versions ?? []).filter(
    v => v.stage !== 'archived',
  );
  const known = versions.some(v => v.name === formData);
  // A version of the model chosen before does not belong to this one.
  useEffect(() => {
    if (model && formData !== undefined && !known) {
      onChange(undefined);
    }
  }, [model, formData, known, onChange]);

  let helperText = schema.description;
  if (!modelRef) helperText = 'Choose a model first';
  else if (error) helperText = error.message;
  else if (model && versions.length === 0) {
    helperText = `${
      model.metadata.title ?? model.metadata.name
    } has no versions that can deploy (archived versions are retired)`;
  }

  return (
    <>
      <TextField
        id={idSchema?.$id}
        select
        fullWidth
        margin="normal"
        label={schema.title ?? 'Model version'}
        value={known ? formData : ''}
        onChange={e => onChange(e.target.value || undefined)}
        required={required}
        disabled={disabled || !modelRef || loading || versions.length === 0}
        error={Boolean(error) || Boolean(rawErrors?.length)}
        helperText={helperText}
        InputLabelProps={{ shrink: true }}
      >
        {versions.map(v => (
          <MenuItem key={v.name} value={v.name}>
            {describeVersion(v)}
          </MenuItem>
        ))}
      </TextField>
      {loading && <LinearProgress aria-label="Loading the model's versions" />}
    </>
  );
};
