import { configApiRef, useApi } from '@backstage/core-plugin-api';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useEffect, useMemo } from 'react';

/** Where the vllm-service template publishes the new repository. */
export type PublishTarget = 'local' | 'github';

/**
 * The GitHub hosts this portal has an integration for
 * (`integrations.github[].host`, which Backstage shows the frontend; the
 * token stays on the backend).
 */
export function configuredGithubHosts(config: {
  getOptionalConfigArray(key: string):
    | Array<{
        getOptionalString(key: string): string | undefined;
      }>
    | undefined;
}): string[] {
  return (config.getOptionalConfigArray('integrations.github') ?? [])
    .map(c => c.getOptionalString('host') ?? 'github.com')
    .filter((h, i, all) => all.indexOf(h) === i);
}

/**
 * A scaffolder form field for where to publish: a new GitHub repository
 * when the portal has a GitHub integration (chosen by default then), else
 * the portal's local folder, with the reason shown.
 */
export const PublishTargetPicker = (
  props: FieldExtensionComponentProps<string>,
) => {
  const { formData, onChange, rawErrors, required, schema, idSchema } = props;
  const configApi = useApi(configApiRef);
  const hosts = useMemo(() => configuredGithubHosts(configApi), [configApi]);
  const github = hosts.length > 0;
  // A target this portal cannot publish to counts as no choice.
  const target: PublishTarget | undefined =
    formData === 'local' || (formData === 'github' && github)
      ? formData
      : undefined;

  // Without a choice, the field takes GitHub where it is configured, else
  // the local folder.
  useEffect(() => {
    if (target === undefined) onChange(github ? 'github' : 'local');
  }, [target, github, onChange]);

  const helperText = github
    ? `A new repository on ${hosts.join(', ')}, or this portal's local folder.`
    : "No GitHub integration is configured in this portal (integrations.github in app-config), so the repository goes into the portal's local folder, which the catalog reads.";

  return (
    <TextField
      id={idSchema?.$id}
      select
      fullWidth
      margin="normal"
      label={schema.title ?? 'Publish to'}
      value={target ?? ''}
      onChange={e => onChange(e.target.value)}
      required={required}
      disabled={!github}
      error={Boolean(rawErrors?.length)}
      helperText={helperText}
      InputLabelProps={{ shrink: true }}
    >
      {github && <MenuItem value="github">A new GitHub repository</MenuItem>}
      <MenuItem value="local">This portal&apos;s local folder</MenuItem>
    </TextField>
  );
};
