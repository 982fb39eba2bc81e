import { writeAs } from '../ControllerBase';
import type { ObjectStore } from '../ObjectStore';
import { RESOURCE_TYPES } from '../resources';
import type { KubeObject } from '../types';
import { clone, isPlainObject } from '../util';
import { ANALYSIS_RUN, type Metric, ROLLOUTS_MANAGER } from './analysis';
import { argumentValueFrom } from './argumentValueFrom';
import type { RolloutAnalysis } from './types';

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
const ANALYSIS_TEMPLATE = typeOf('AnalysisTemplate');
const CLUSTER_ANALYSIS_TEMPLATE = typeOf('ClusterAnalysisTemplate');

type Arg = { name: string; value?: string };

/** `{{args.<name>}}` replaced in every string of `value`. */
function substitute(value: unknown, args: Arg[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g, (m, n) => {
      const arg = args.find(a => a.name === n);
      return arg?.value ?? m;
    });
  }
  if (Array.isArray(value)) return value.map(v => substitute(v, args));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v, args)]),
    );
  }
  return value;
}

/**
 * Creates the AnalysisRun of a Rollout's analysis step or background
 * analysis (unless it exists), as the rollouts controller does: named
 * `<rollout>-<pod-hash>-<revision>[-<step-index>]`, owned by the Rollout,
 * labelled `rollouts-pod-template-hash`, `rollout-type` (Step or
 * Background) and `step-index`, with the templates' metrics and args (the
 * step's args override the templates' defaults; `{{args.x}}` resolved).
 * Returns the run, or an error message when a template is missing or an
 * argument has no value.
 */
export function ensureAnalysisRun(
  store: ObjectStore,
  options: {
    rollout: KubeObject;
    analysis: RolloutAnalysis;
    hash: string;
    revision: string;
    stepIndex?: number;
  },
): KubeObject | string {
  const { rollout, analysis, hash, revision, stepIndex } = options;
  const namespace = rollout.metadata.namespace!;
  const name = `${rollout.metadata.name}-${hash}-${revision}${
    stepIndex === undefined ? '' : `-${stepIndex}`
  }`;
  const existing = store.get(ANALYSIS_RUN, namespace, name);
  if (existing) return existing;
  const metrics: Metric[] = [];
  const templateArgs: Arg[] = [];
  for (const ref of analysis.templates ?? []) {
    const template = ref.clusterScope
      ? store.get(CLUSTER_ANALYSIS_TEMPLATE, undefined, ref.templateName ?? '')
      : store.get(ANALYSIS_TEMPLATE, namespace, ref.templateName ?? '');
    if (!template) {
      return `${
        ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'
      } "${ref.templateName}" not found`;
    }
    const spec = (template.spec ?? {}) as { metrics?: Metric[]; args?: Arg[] };
    metrics.push(...clone(spec.metrics ?? []));
    for (const a of spec.args ?? []) {
      if (!templateArgs.some(t => t.name === a.name)) templateArgs.push(a);
    }
  }
  const args = templateArgs.map(a => {
    const given = analysis.args?.find(s => s.name === a.name) as
      | { value?: string; valueFrom?: { podTemplateHashValue?: string } }
      | undefined;
    const value =
      given?.value ??
      argumentValueFrom(given?.valueFrom, {
        latest: hash,
        stable: (rollout.status as { stableRS?: string } | undefined)?.stableRS,
      });
    return { ...a, ...(value !== undefined ? { value } : {}) };
  });
  const missing = args.find(a => a.value === undefined);
  if (missing) return `args.${missing.name} was not resolved`;
  return writeAs(
    store,
    ANALYSIS_RUN,
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: {
        name,
        namespace,
        labels: {
          'rollouts-pod-template-hash': hash,
          'rollout-type': stepIndex === undefined ? 'Background' : 'Step',
          ...(stepIndex === undefined
            ? {}
            : { 'step-index': String(stepIndex) }),
        },
        annotations: { 'rollout.argoproj.io/revision': revision },
        ownerReferences: [
          {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            name: rollout.metadata.name!,
            uid: rollout.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        metrics: substitute(metrics, args) as Metric[],
        ...(args.length ? { args } : {}),
      },
    },
    ROLLOUTS_MANAGER,
  );
}

/** Sets `spec.terminate` on a run that is still running (the rollout moved on or aborted). */
export function terminateAnalysisRun(store: ObjectStore, run: KubeObject) {
  const phase = (run.status as { phase?: string } | undefined)?.phase;
  if ((run.spec as { terminate?: boolean }).terminate) return;
  if (
    phase &&
    ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(phase)
  )
    return;
  writeAs(
    store,
    ANALYSIS_RUN,
    { ...run, spec: { ...(run.spec as object), terminate: true } },
    ROLLOUTS_MANAGER,
  );
}
