import { EmptyState, InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isModelEntity,
  type ModelEntityV1alpha1,
  type ModelVersion,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  GateResultsTable,
  gateSummaryText,
  StageChip,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import FormControl from '@material-ui/core/FormControl';
import InputLabel from '@material-ui/core/InputLabel';
import MenuItem from '@material-ui/core/MenuItem';
import Select from '@material-ui/core/Select';
import Typography from '@material-ui/core/Typography';
import { StatusError, StatusOK } from '@backstage/core-components';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { stringifyEntityRef } from '@backstage/catalog-model';

const CANDIDATE_ORDER = ['staging', 'development', 'deprecated', 'archived'];

/**
 * The version to show as the candidate for production: the first version in
 * staging, else in development, else any other non-production version.
 */
export function defaultCandidate(
  versions: ModelVersion[],
): ModelVersion | undefined {
  for (const stage of CANDIDATE_ORDER) {
    const found = versions.find(v => v.stage === stage);
    if (found) return found;
  }
  return undefined;
}

function VersionGates(props: {
  model: ModelEntityV1alpha1;
  version: ModelVersion;
  heading: string;
}) {
  const api = useApi(aiPlatformApiRef);
  const modelRef = stringifyEntityRef(props.model);
  const state = useAsync(
    () => api.getGateStatus({ model: modelRef, version: props.version.name }),
    [api, modelRef, props.version.name],
  );
  return (
    <Box mb={3} component="section" aria-label={props.heading}>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
        <Typography variant="h6" component="h3">
          {props.heading}
        </Typography>
        <StageChip stage={props.version.stage} />
      </Box>
      <AsyncContent {...state}>
        {status => (
          <>
            <Typography variant="body2" component="div" gutterBottom>
              {status.passed ? (
                <StatusOK>{`Passes its gates (${gateSummaryText(
                  status,
                )})`}</StatusOK>
              ) : (
                <StatusError>
                  {`Does not pass its gates (${gateSummaryText(status)})`}
                </StatusError>
              )}
            </Typography>
            <GateResultsTable status={status} />
          </>
        )}
      </AsyncContent>
    </Box>
  );
}

/**
 * Eval gate status (pass / fail / missing, with the numbers) of the version
 * in production and of a candidate version, which the user can pick.
 */
export function ModelGatesCard() {
  const { entity } = useEntity();
  const model = isModelEntity(entity) ? entity : undefined;
  const versions = model?.spec.versions ?? [];
  const production = versions.find(v => v.stage === 'production');
  const candidates = versions.filter(v => v !== production);
  const [candidateName, setCandidateName] = useState(
    () => defaultCandidate(versions)?.name,
  );
  const candidate = candidates.find(v => v.name === candidateName);

  if (!model) {
    return (
      <InfoCard title="Eval gates">
        <Typography>This card shows Model entities only.</Typography>
      </InfoCard>
    );
  }
  if ((model.spec.evaluation?.gates ?? []).length === 0) {
    return (
      <InfoCard title="Eval gates">
        <EmptyState
          missing="field"
          title="No eval gates"
          description="Add spec.evaluation.gates (task, metric and min, max or maxRegression) to the Model to block promotions that fail them."
        />
      </InfoCard>
    );
  }
  return (
    <InfoCard title="Eval gates">
      {production ? (
        <VersionGates
          model={model}
          version={production}
          heading={`In production: ${production.name}`}
        />
      ) : (
        <Typography variant="body2" paragraph>
          No version is in stage production, so regression gates have no
          baseline.
        </Typography>
      )}
      {candidates.length > 0 && (
        <>
          <FormControl variant="outlined" size="small" margin="dense">
            <InputLabel id="ai-platform-candidate-label">Candidate</InputLabel>
            <Select
              labelId="ai-platform-candidate-label"
              label="Candidate"
              value={candidate?.name ?? ''}
              onChange={e => setCandidateName(e.target.value as string)}
            >
              {candidates.map(v => (
                <MenuItem key={v.name} value={v.name}>
                  {`${v.name} (${v.stage})`}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          {candidate && (
            <VersionGates
              model={model}
              version={candidate}
              heading={`Candidate: ${candidate.name}`}
            />
          )}
        </>
      )}
    </InfoCard>
  );
}
