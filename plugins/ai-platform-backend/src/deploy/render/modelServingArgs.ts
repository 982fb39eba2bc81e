import type {
  ModelEntityV1alpha1,
  ModelVersion,
} from '@internal/plugin-ai-platform-common';

/** vLLM `--quantization` values for the formats of our Model kind. */
const VLLM_QUANTIZATION: Partial<Record<string, string>> = {
  fp8: 'fp8',
  awq: 'awq',
  gptq: 'gptq',
  bitsandbytes: 'bitsandbytes',
  gguf: 'gguf',
};

/** vLLM `--dtype` values for the dtypes vLLM takes as a flag. */
const VLLM_DTYPE: Partial<Record<string, string>> = {
  float32: 'float32',
  float16: 'float16',
  bfloat16: 'bfloat16',
};

/** The `--task` vLLM 0.10 needs for model types that do not generate text. */
const VLLM_TASK: Partial<Record<string, string>> = {
  embedding: 'embed',
  reranker: 'score',
  speech: 'transcription',
};

/**
 * What `vllm serve` is given to load one model version: the positional model
 * argument and the flags that follow from the version.
 *
 * - `hf://org/name` becomes the Hugging Face repo id `org/name`, pinned with
 *   `--revision` when the version names one.
 * - `s3://` and `gs://` are streamed by vLLM's Run:ai model streamer
 *   (`--load-format runai_streamer`).
 * - `file://` (or `pvc://`) paths are passed as local paths.
 */
export function modelServingArgs(options: {
  model: ModelEntityV1alpha1;
  version: ModelVersion;
  /** Flags the endpoint already sets in runtime.extraArgs; not repeated. */
  extraArgs: string[];
}): { source: string; args: string[] } {
  const { model, version, extraArgs } = options;
  const uri = version.source ?? model.spec.source;
  if (!uri) {
    throw new Error(
      `Model ${model.metadata.name} version ${version.name} has no source: set spec.source or spec.versions[].source`,
    );
  }
  const has = (flag: string) =>
    extraArgs.some(arg => arg === flag || arg.startsWith(`${flag}=`));
  const args: string[] = [];
  const scheme = uri.slice(0, uri.indexOf('://'));
  const rest = uri.slice(scheme.length + 3);
  let source: string;
  switch (scheme) {
    case 'hf':
      source = rest;
      if (version.revision && !has('--revision')) {
        args.push('--revision', version.revision);
      }
      break;
    case 's3':
    case 'gs':
      source = uri;
      if (!has('--load-format')) {
        args.push('--load-format', 'runai_streamer');
      }
      break;
    case 'file':
    case 'pvc':
      source = `/${rest.replace(/^\/+/, '')}`;
      break;
    default:
      source = uri;
  }
  const quantization = version.quantization
    ? VLLM_QUANTIZATION[version.quantization]
    : undefined;
  if (quantization && !has('--quantization')) {
    args.push('--quantization', quantization);
  }
  const dtype = version.dtype ? VLLM_DTYPE[version.dtype] : undefined;
  if (dtype && !version.quantization && !has('--dtype')) {
    args.push('--dtype', dtype);
  }
  const task = VLLM_TASK[model.spec.type];
  if (task && !has('--task') && !has('--runner')) {
    args.push('--task', task);
  }
  return { source, args };
}
