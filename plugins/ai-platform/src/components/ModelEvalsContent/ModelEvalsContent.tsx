import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isModelEntity,
  type ModelEntityV1alpha1,
  type StoredEvalScore,
} from '@internal/plugin-ai-platform-common';
import {
  type AiPlatformApi,
  AsyncContent,
  aiPlatformApiRef,
  formatScore,
  formatTime,
  StageChip,
} from '@internal/plugin-ai-platform-react';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { ModelGatesCard } from '../ModelGatesCard';
import { EvalTrendChart } from './EvalTrendChart';

type TaskKey = { task: string; metric: string };
const keyOf = (k: TaskKey) => `${k.task}|${k.metric}`;

/** Everything the Evals tab shows, loaded together. */
async function loadEvals(api: AiPlatformApi, model: ModelEntityV1alpha1) {
  const modelRef = stringifyEntityRef(model);
  const versions = model.spec.versions.map(v => v.name);
  const [latest, runs] = await Promise.all([
    Promise.all(
      versions.map(version =>
        api.getEvalScores({ model: modelRef, version }).then(r => r.items),
      ),
    ),
    api.listEvalRuns({ model: modelRef, limit: 20 }),
  ]);
  const scores = new Map<string, Map<string, StoredEvalScore>>();
  const keys = new Map<string, TaskKey>();
  latest.forEach((items, i) => {
    for (const s of items) {
      keys.set(keyOf(s), { task: s.task, metric: s.metric });
      const row = scores.get(keyOf(s)) ?? new Map<string, StoredEvalScore>();
      row.set(versions[i], s);
      scores.set(keyOf(s), row);
    }
  });
  const tasks = [...keys.values()].sort((a, b) =>
    keyOf(a).localeCompare(keyOf(b)),
  );
  const histories = await Promise.all(
    tasks.map(k =>
      api
        .getEvalHistory({ model: modelRef, task: k.task, metric: k.metric })
        .then(r => r.items),
    ),
  );
  return { tasks, scores, histories, runs: runs.items };
}

/**
 * The Evals tab of a Model: the latest score of every task per version, a
 * trend chart per task (every score over time, per version, with the gate's
 * bounds), the recent runs with their provenance, and the gates.
 */
export function ModelEvalsContent() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const model = isModelEntity(entity) ? entity : undefined;
  const state = useAsync(
    async () => (model ? loadEvals(api, model) : undefined),
    [api, model],
  );
  if (!model) {
    return <Typography>This tab shows Model entities only.</Typography>;
  }
  const versions = model.spec.versions;
  const gates = model.spec.evaluation?.gates ?? [];
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <InfoCard title="Eval scores per version">
          <AsyncContent
            loading={state.loading}
            error={state.error}
            value={state.value}
            isEmpty={v => v.tasks.length === 0}
            emptyTitle="No eval results yet"
            emptyDescription="CI posts lm-evaluation-harness results to POST /api/ai-platform/evals/runs (see docs/evals-and-gates.md, Posting eval results from CI)."
          >
            {data => (
              <Table size="small" aria-label="Latest scores per version">
                <TableHead>
                  <TableRow>
                    <TableCell>Task</TableCell>
                    <TableCell>Metric</TableCell>
                    {versions.map(v => (
                      <TableCell key={v.name} align="right">
                        {v.name} <StageChip stage={v.stage} />
                      </TableCell>
                    ))}
                  </TableRow>
                </TableHead>
                <TableBody>
                  {data.tasks.map(k => (
                    <TableRow key={keyOf(k)}>
                      <TableCell component="th" scope="row">
                        {k.task}
                      </TableCell>
                      <TableCell>{k.metric}</TableCell>
                      {versions.map(v => {
                        const s = data.scores.get(keyOf(k))?.get(v.name);
                        return (
                          <TableCell key={v.name} align="right">
                            {s ? formatScore(s.value) : '—'}
                            {s?.stderr !== undefined && (
                              <Typography
                                variant="caption"
                                color="textSecondary"
                              >
                                {` ± ${formatScore(s.stderr)}`}
                              </Typography>
                            )}
                          </TableCell>
                        );
                      })}
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </AsyncContent>
        </InfoCard>
      </Grid>
      {state.value && state.value.tasks.length > 0 && (
        <Grid item xs={12}>
          <InfoCard title="Trends">
            <Grid container spacing={2}>
              {state.value.tasks.map((k, i) => {
                const gate = gates.find(
                  g => g.task === k.task && g.metric === k.metric,
                );
                return (
                  <Grid item xs={12} md={6} key={keyOf(k)}>
                    <EvalTrendChart
                      task={k.task}
                      metric={k.metric}
                      history={state.value!.histories[i]}
                      versions={versions.map(v => v.name)}
                      min={gate?.min}
                      max={gate?.max}
                    />
                  </Grid>
                );
              })}
            </Grid>
          </InfoCard>
        </Grid>
      )}
      <Grid item xs={12}>
        <ModelGatesCard />
      </Grid>
      {state.value && state.value.runs.length > 0 && (
        <Grid item xs={12}>
          <InfoCard title="Recent runs">
            <Table size="small" aria-label="Recent eval runs">
              <TableHead>
                <TableRow>
                  <TableCell>Posted</TableCell>
                  <TableCell>Version</TableCell>
                  <TableCell>Harness</TableCell>
                  <TableCell>Endpoint and image</TableCell>
                  <TableCell>Posted by</TableCell>
                  <TableCell align="right">Scores</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {state.value.runs.map(run => (
                  <TableRow key={run.id}>
                    <TableCell>{formatTime(run.postedAt)}</TableCell>
                    <TableCell>{run.version}</TableCell>
                    <TableCell>
                      {run.provenance.harness}
                      {run.provenance.harnessVersion &&
                        ` (${run.provenance.harnessVersion.slice(0, 10)})`}
                    </TableCell>
                    <TableCell>
                      {[run.provenance.endpoint, run.provenance.image]
                        .filter(Boolean)
                        .join(' · ') || '—'}
                    </TableCell>
                    <TableCell>{run.postedBy}</TableCell>
                    <TableCell align="right">{run.scoreCount}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </InfoCard>
        </Grid>
      )}
    </Grid>
  );
}
