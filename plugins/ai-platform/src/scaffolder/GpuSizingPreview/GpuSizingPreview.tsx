import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import type { GpuSizing } from '@internal/plugin-ai-platform-common';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import FormHelperText from '@material-ui/core/FormHelperText';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useDebounce from 'react-use/esm/useDebounce';

/** `ui:options` of the GpuSizingPreview field: which form fields to read. */
export type GpuSizingPreviewUiOptions = {
  /** @default model */
  modelField?: string;
  /** @default modelVersion */
  versionField?: string;
  /** @default gpuPool */
  poolField?: string;
  /** @default maxModelLen */
  maxModelLenField?: string;
  /** Full-length sequences that must fit at once. @default none (1) */
  concurrentSequencesField?: string;
};

/** The field's value: what the review step shows and the validation checks. */
export type GpuSizingPreviewValue = {
  fits: boolean;
  tensorParallelSize?: number;
  /** GiB per GPU of one replica: total of usable. */
  perGpuGiB?: string;
  explanation: string;
};

type SizingRequest = {
  model: string;
  modelVersion: string;
  pool: string;
  maxModelLen?: number;
  concurrentSequences?: number;
};

/** What to size, from the other fields of the form; undefined while one is missing. */
export function sizingRequestOf(
  formData: Record<string, unknown> | undefined,
  options: GpuSizingPreviewUiOptions = {},
): SizingRequest | undefined {
  const read = (field: string) => formData?.[field];
  const model = read(options.modelField ?? 'model');
  const modelVersion = read(options.versionField ?? 'modelVersion');
  const pool = read(options.poolField ?? 'gpuPool');
  const maxModelLen = read(options.maxModelLenField ?? 'maxModelLen');
  const sequences = options.concurrentSequencesField
    ? read(options.concurrentSequencesField)
    : undefined;
  if (
    typeof model !== 'string' ||
    !model ||
    typeof modelVersion !== 'string' ||
    !modelVersion ||
    typeof pool !== 'string' ||
    !pool
  ) {
    return undefined;
  }
  return {
    model,
    modelVersion,
    pool,
    ...(typeof maxModelLen === 'number' && maxModelLen > 0
      ? { maxModelLen }
      : {}),
    ...(typeof sequences === 'number' && sequences > 0
      ? { concurrentSequences: sequences }
      : {}),
  };
}

/** The field's value for a sizing. */
export function valueOf(sizing: GpuSizing): GpuSizingPreviewValue {
  return {
    fits: sizing.fits,
    ...(sizing.tensorParallelSize !== undefined
      ? { tensorParallelSize: sizing.tensorParallelSize }
      : {}),
    ...(sizing.perGpu
      ? {
          perGpuGiB: `${sizing.perGpu.totalGiB} of ${sizing.perGpu.usableGiB} GiB`,
        }
      : {}),
    explanation: sizing.explanation.join(' '),
  };
}

function GiB({ value }: { value: number }) {
  return <>{value.toFixed(2)} GiB</>;
}

/** The sizing, in numbers and words. */
export function SizingSummary({ sizing }: { sizing: GpuSizing }) {
  return (
    <Box>
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        {sizing.fits ? (
          <Chip color="primary" size="small" label="Fits" />
        ) : (
          <Chip color="secondary" size="small" label="Does not fit" />
        )}
        {sizing.tensorParallelSize !== undefined && (
          <Typography variant="body2">
            Tensor parallelism {sizing.tensorParallelSize}: one replica uses{' '}
            {sizing.tensorParallelSize} GPU
            {sizing.tensorParallelSize === 1 ? '' : 's'}
          </Typography>
        )}
      </Box>
      <Table size="small" aria-label="GPU memory">
        <TableBody>
          {sizing.perGpu ? (
            <>
              <TableRow>
                <TableCell>Weights per GPU</TableCell>
                <TableCell align="right">
                  <GiB value={sizing.perGpu.weightsGiB} />
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell>KV cache per GPU</TableCell>
                <TableCell align="right">
                  <GiB value={sizing.perGpu.kvCacheGiB} />
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell>Runtime overhead per GPU</TableCell>
                <TableCell align="right">
                  <GiB value={sizing.perGpu.overheadGiB} />
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell>
                  <strong>Total per GPU</strong>
                </TableCell>
                <TableCell align="right">
                  <strong>
                    <GiB value={sizing.perGpu.totalGiB} /> of{' '}
                    <GiB value={sizing.perGpu.usableGiB} /> usable
                  </strong>
                </TableCell>
              </TableRow>
            </>
          ) : (
            <>
              <TableRow>
                <TableCell>Weights (whole model)</TableCell>
                <TableCell align="right">
                  <GiB value={sizing.weightsGiB} />
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell>KV cache (whole model)</TableCell>
                <TableCell align="right">
                  <GiB value={sizing.kvCacheGiB} />
                </TableCell>
              </TableRow>
            </>
          )}
          {sizing.maxConcurrentSequences !== undefined && (
            <TableRow>
              <TableCell>Full-length sequences at once</TableCell>
              <TableCell align="right">
                {sizing.maxConcurrentSequences}
              </TableCell>
            </TableRow>
          )}
        </TableBody>
      </Table>
      <Box component="ul" pl={2} mt={1} mb={0}>
        {sizing.explanation.map(line => (
          <Typography component="li" variant="body2" key={line}>
            {line}
          </Typography>
        ))}
      </Box>
    </Box>
  );
}

/**
 * A scaffolder form field that shows, before the form is submitted, how the
 * chosen model version fits on the chosen GPU pool: it sizes them through
 * the ai-platform API (`POST /sizing`) as the other fields change. Its value
 * sums the sizing up; the field's validation refuses a sizing that does not
 * fit.
 */
export const GpuSizingPreview = (
  props: FieldExtensionComponentProps<
    GpuSizingPreviewValue,
    GpuSizingPreviewUiOptions
  >,
) => {
  const { onChange, uiSchema, formContext, schema, rawErrors } = props;
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const request = sizingRequestOf(
    formContext?.formData,
    uiSchema?.['ui:options'],
  );
  const key = request ? JSON.stringify(request) : '';
  // Size once the user stops changing the inputs.
  const [settledKey, setSettledKey] = useState(key);
  useDebounce(() => setSettledKey(key), 300, [key]);

  const {
    value: sizing,
    loading,
    error,
  } = useAsync(async () => {
    if (!settledKey) return undefined;
    const baseUrl = await discoveryApi.getBaseUrl('ai-platform');
    const response = await fetchApi.fetch(`${baseUrl}/sizing`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: settledKey,
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return ((await response.json()) as { sizing: GpuSizing }).sizing;
  }, [discoveryApi, fetchApi, settledKey]);

  const current = settledKey === key ? sizing : undefined;
  const valueKey = current ? JSON.stringify(valueOf(current)) : '';
  useEffect(() => {
    onChange(valueKey ? JSON.parse(valueKey) : undefined);
  }, [valueKey, onChange]);

  const message = (e: Error) =>
    e instanceof ResponseError && e.cause?.message
      ? e.cause.message
      : e.message;

  return (
    <Box mt={2} mb={1}>
      <Typography variant="subtitle1" component="h3">
        {schema.title ?? 'GPU sizing'}
      </Typography>
      {!request && (
        <Typography variant="body2" color="textSecondary">
          Choose a model, one of its versions and a GPU pool to see how much GPU
          memory it needs and how many GPUs one replica uses.
        </Typography>
      )}
      {request && (loading || settledKey !== key) && (
        <LinearProgress aria-label="Sizing the model on the pool" />
      )}
      {request && settledKey === key && !loading && error && (
        <Alert severity="warning">
          Cannot size this model on this pool: {message(error)}
        </Alert>
      )}
      {current && <SizingSummary sizing={current} />}
      {rawErrors?.length ? (
        <FormHelperText error>{rawErrors.join(' ')}</FormHelperText>
      ) : null}
    </Box>
  );
};
