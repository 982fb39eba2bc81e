import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { estimateGpuSizing } from '@internal/plugin-ai-platform-common';
import { screen, waitFor } from '@testing-library/react';
import { fieldProps } from '../../__testUtils__';
import {
  GpuSizingPreview,
  sizingRequestOf,
  type GpuSizingPreviewUiOptions,
  type GpuSizingPreviewValue,
} from './GpuSizingPreview';
import { gpuSizingValidation } from './GpuSizingPreviewFormField';

const form = {
  model: 'model:default/llama-3-1-8b-instruct',
  modelVersion: 'v2',
  gpuPool: 'gpupool:default/l4-inference',
  maxModelLen: 8192,
};
const llama8b = { layers: 32, kvHeads: 8, headDim: 128 };
const l4 = { gpuMemoryGiB: 24, gpusPerNode: 4 };

function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), {
    status,
    statusText: status === 200 ? 'OK' : 'Bad Request',
    headers: { 'Content-Type': 'application/json' },
  });
}

function renderPreview(
  formData: Record<string, unknown>,
  answer: () => Response,
) {
  const fetch = jest.fn(async (_url: RequestInfo | URL, _init?: RequestInit) =>
    answer(),
  );
  const props = fieldProps<GpuSizingPreviewValue, GpuSizingPreviewUiOptions>({
    id: 'root_sizing',
    title: 'GPU sizing',
    form: formData,
  });
  return {
    onChange: props.onChange,
    fetch,
    rendered: renderInTestApp(<GpuSizingPreview {...props} />, {
      apis: [
        [
          discoveryApiRef,
          {
            getBaseUrl: async (id: string) => `http://127.0.0.1:7007/api/${id}`,
          },
        ],
        [fetchApiRef, { fetch }],
      ],
    }),
  };
}

describe('sizingRequestOf', () => {
  it('reads the configured fields, and waits for all three refs', () => {
    expect(sizingRequestOf(form)).toEqual({
      model: form.model,
      modelVersion: 'v2',
      pool: form.gpuPool,
      maxModelLen: 8192,
    });
    expect(
      sizingRequestOf(
        { m: 'model:default/x', v: 'v1', p: 'gpupool:default/y', seqs: 4 },
        {
          modelField: 'm',
          versionField: 'v',
          poolField: 'p',
          concurrentSequencesField: 'seqs',
        },
      ),
    ).toEqual({
      model: 'model:default/x',
      modelVersion: 'v1',
      pool: 'gpupool:default/y',
      concurrentSequences: 4,
    });
    expect(sizingRequestOf({ ...form, modelVersion: '' })).toBeUndefined();
  });
});

describe('GpuSizingPreview', () => {
  it('explains what it needs before the model, version and pool are chosen', async () => {
    const { fetch, rendered } = renderPreview({ model: form.model }, () =>
      json(200, {}),
    );
    await rendered;
    expect(
      screen.getByText(/Choose a model, one of its versions and a GPU pool/),
    ).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it('sizes through the API and shows whether it fits, the GPUs and the GiB per GPU', async () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 8.03,
      architecture: llama8b,
      maxModelLen: 8192,
      ...l4,
    });
    const { fetch, onChange, rendered } = renderPreview(form, () =>
      json(200, { sizing }),
    );
    await rendered;
    expect(await screen.findByText('Fits')).toBeInTheDocument();
    expect(
      screen.getByText(/Tensor parallelism 1: one replica uses 1 GPU/),
    ).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'GPU memory' })).toHaveTextContent(
      `Total per GPU${sizing.perGpu!.totalGiB.toFixed(
        2,
      )} GiB of ${sizing.perGpu!.usableGiB.toFixed(2)} GiB usable`,
    );
    expect(screen.getByText(sizing.explanation[3])).toBeInTheDocument();
    expect(fetch).toHaveBeenCalledWith(
      'http://127.0.0.1:7007/api/ai-platform/sizing',
      expect.objectContaining({
        method: 'POST',
        body: JSON.stringify({
          model: form.model,
          modelVersion: 'v2',
          pool: form.gpuPool,
          maxModelLen: 8192,
        }),
      }),
    );
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith(
        expect.objectContaining({ fits: true, tensorParallelSize: 1 }),
      ),
    );
  });

  it('shows a sizing that does not fit, and the field refuses it', async () => {
    const sizing = estimateGpuSizing({
      parametersBillions: 70.6,
      architecture: { layers: 80, kvHeads: 8, headDim: 128 },
      maxModelLen: 8192,
      ...l4,
    });
    const { onChange, rendered } = renderPreview(form, () =>
      json(200, { sizing }),
    );
    await rendered;
    expect(await screen.findByText('Does not fit')).toBeInTheDocument();
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith(
        expect.objectContaining({ fits: false }),
      ),
    );
    const value = onChange.mock.calls.at(-1)[0];
    const validation = { addError: jest.fn() };
    gpuSizingValidation(value, validation);
    expect(validation.addError).toHaveBeenCalledWith(
      expect.stringMatching(
        /^The model does not fit on this pool: It does not fit: even 4 GPUs of one node give 86\.4 GiB/,
      ),
    );
  });

  it("shows the API's reason when the model cannot be sized", async () => {
    const { onChange, rendered } = renderPreview(form, () =>
      json(400, {
        error: {
          name: 'InputError',
          message:
            'spec.parameters: Model x does not say its size (spec.parameters, in billions), so it cannot be sized',
        },
        response: { statusCode: 400 },
      }),
    );
    await rendered;
    expect(
      await screen.findByText(
        /Cannot size this model on this pool: spec\.parameters: Model x does not say its size/,
      ),
    ).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalledWith(
      expect.objectContaining({ fits: expect.anything() }),
    );
  });
});
