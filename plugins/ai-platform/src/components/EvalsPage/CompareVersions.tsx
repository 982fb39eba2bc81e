import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  type EvalComparisonRow,
  isModelEntity,
  type ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatScore,
  formatScoreDelta,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles } from '@material-ui/core/styles';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import ArrowUpwardIcon from '@material-ui/icons/ArrowUpward';
import useAsync from 'react-use/esm/useAsync';
import { defaultCandidate } from '../ModelGatesCard/ModelGatesCard';
import { SelectField } from '../common/SelectField';
import { useQueryState } from '../common/useQueryState';

const useStyles = makeStyles(theme => ({
  up: { color: theme.palette.success.main, fontWeight: 600 },
  down: { color: theme.palette.error.main, fontWeight: 600 },
  only: {
    backgroundColor: alpha(
      theme.palette.warning.main,
      theme.palette.type === 'dark' ? 0.16 : 0.12,
    ),
  },
  changed: {
    backgroundColor: theme.palette.action.hover,
  },
  delta: { display: 'inline-flex', alignItems: 'center', gap: 4 },
}));

function DeltaCell(props: { row: EvalComparisonRow }) {
  const classes = useStyles();
  const { a, b, delta } = props.row;
  if (a === undefined) return <TableCell>only in B</TableCell>;
  if (b === undefined) return <TableCell>only in A</TableCell>;
  if (delta === undefined || delta === 0) {
    return <TableCell align="right">no change</TableCell>;
  }
  const up = delta > 0;
  // Green where B is better: higher, unless the metric is lower-is-better
  // (perplexity, error rates), as the harness said.
  const better = props.row.higherIsBetter === false ? !up : up;
  return (
    <TableCell align="right">
      <span
        className={`${classes.delta} ${better ? classes.up : classes.down}`}
      >
        {up ? (
          <ArrowUpwardIcon fontSize="small" aria-hidden />
        ) : (
          <ArrowDownwardIcon fontSize="small" aria-hidden />
        )}
        {`${formatScoreDelta(delta)} (${up ? 'higher' : 'lower'} in B${
          props.row.higherIsBetter === false
            ? `, ${better ? 'better' : 'worse'}: lower is better`
            : ''
        })`}
      </span>
    </TableCell>
  );
}

function VersionPicker(props: {
  side: 'A' | 'B';
  models: ModelEntityV1alpha1[];
  model?: string;
  version?: string;
  onChange: (model: string | undefined, version: string | undefined) => void;
}) {
  const selected = props.models.find(
    m => stringifyEntityRef(m) === props.model,
  );
  return (
    <Box display="flex" style={{ gap: 16 }} flexWrap="wrap">
      <SelectField
        label={`Model ${props.side}`}
        value={props.model}
        minWidth={260}
        options={props.models.map(m => ({
          value: stringifyEntityRef(m),
          label: m.metadata.title ?? m.metadata.name,
        }))}
        onChange={model => {
          const m = props.models.find(x => stringifyEntityRef(x) === model);
          props.onChange(model, m?.spec.versions[0]?.name);
        }}
      />
      <SelectField
        label={`Version ${props.side}`}
        value={props.version}
        disabled={!selected}
        options={(selected?.spec.versions ?? []).map(v => ({
          value: v.name,
          label: `${v.name} (${v.stage})`,
        }))}
        onChange={version => props.onChange(props.model, version)}
      />
    </Box>
  );
}

/** Default pair: a model's production version against its candidate. */
function defaults(models: ModelEntityV1alpha1[]) {
  const model = models.find(m => m.spec.versions.length > 1) ?? models[0];
  if (!model) return {};
  const ref = stringifyEntityRef(model);
  const production =
    model.spec.versions.find(v => v.stage === 'production') ??
    model.spec.versions[0];
  const candidate =
    defaultCandidate(model.spec.versions.filter(v => v !== production)) ??
    production;
  return { model: ref, a: production?.name, b: candidate?.name };
}

/**
 * Two model versions side by side (of one model or two), with each
 * difference highlighted: green where B is better (higher, or lower for a
 * lower-is-better metric), red where worse, the arrow showing the direction,
 * amber where only one has a score. The pair is
 * in the URL: `?view=compare&model=...&a=v1&modelB=...&b=v2`.
 */
export function CompareVersions() {
  const api = useApi(aiPlatformApiRef);
  const catalogApi = useApi(catalogApiRef);
  const classes = useStyles();
  const query = useQueryState();
  const models = useAsync(async () => {
    const { items } = await catalogApi.getEntities({
      filter: { kind: 'Model' },
    });
    return items
      .filter((e: Entity): e is ModelEntityV1alpha1 => isModelEntity(e))
      .sort((x, y) =>
        (x.metadata.title ?? x.metadata.name).localeCompare(
          y.metadata.title ?? y.metadata.name,
        ),
      );
  }, [catalogApi]);
  const fallback = defaults(models.value ?? []);
  const model = query.get('model') ?? fallback.model;
  const a = query.get('a') ?? fallback.a;
  const modelB = query.get('modelB') ?? model;
  const b = query.get('b') ?? fallback.b;
  const ready = Boolean(model && a && modelB && b);
  const comparison = useAsync(
    async () =>
      ready
        ? api.compareEvals({
            model: model!,
            a: a!,
            b: b!,
            modelB: modelB === model ? undefined : modelB,
          })
        : undefined,
    [api, model, a, modelB, b, ready],
  );

  return (
    <InfoCard title="Compare two versions">
      <AsyncContent
        {...models}
        isEmpty={v => v.length === 0}
        emptyTitle="No models in the catalog"
      >
        {list => (
          <>
            <Box
              display="flex"
              flexDirection="column"
              style={{ gap: 16 }}
              mb={2}
            >
              <VersionPicker
                side="A"
                models={list}
                model={model}
                version={a}
                onChange={(m, v) =>
                  query.set({ view: 'compare', model: m, a: v })
                }
              />
              <VersionPicker
                side="B"
                models={list}
                model={modelB}
                version={b}
                onChange={(m, v) =>
                  query.set({ view: 'compare', modelB: m, b: v })
                }
              />
            </Box>
            <AsyncContent
              loading={comparison.loading}
              error={comparison.error}
              value={comparison.value}
              isEmpty={v => !v || v.rows.length === 0}
              emptyTitle="Neither version has scores"
              emptyDescription="Pick versions that have eval results."
            >
              {result =>
                result && (
                  <>
                    <Typography variant="body2" color="textSecondary" paragraph>
                      Differences are B − A. Highlighted rows differ.
                    </Typography>
                    <Table size="small" aria-label="Comparison of A and B">
                      <TableHead>
                        <TableRow>
                          <TableCell>Task</TableCell>
                          <TableCell>Metric</TableCell>
                          <TableCell align="right">{`A: ${a}`}</TableCell>
                          <TableCell align="right">{`B: ${b}`}</TableCell>
                          <TableCell align="right">Difference</TableCell>
                        </TableRow>
                      </TableHead>
                      <TableBody>
                        {result.rows.map(row => {
                          let rowClass: string | undefined;
                          if (row.a === undefined || row.b === undefined) {
                            rowClass = classes.only;
                          } else if (row.delta) rowClass = classes.changed;
                          return (
                            <TableRow
                              key={`${row.task}|${row.metric}`}
                              className={rowClass}
                            >
                              <TableCell>{row.task}</TableCell>
                              <TableCell>{row.metric}</TableCell>
                              <TableCell align="right">
                                {row.a === undefined ? '—' : formatScore(row.a)}
                              </TableCell>
                              <TableCell align="right">
                                {row.b === undefined ? '—' : formatScore(row.b)}
                              </TableCell>
                              <DeltaCell row={row} />
                            </TableRow>
                          );
                        })}
                      </TableBody>
                    </Table>
                  </>
                )
              }
            </AsyncContent>
          </>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
