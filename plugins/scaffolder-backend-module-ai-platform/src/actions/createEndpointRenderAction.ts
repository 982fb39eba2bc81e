import {
  type AuthService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type {
  AiPlatformClient,
  RenderedManifest,
  RenderResponse,
} from '@internal/plugin-ai-platform-node';
import fs from 'fs/promises';
import path from 'path';
import yaml from 'yaml';
import { describeError } from './describeError';
import { examples } from './createEndpointRenderAction.examples';
import { initiatorToken } from './initiatorToken';
import { yamlStream } from './yamlStream';
import { endpointInputSchema, readEndpointInput } from './readEndpointInput';

/** The header of every written manifest file. */
function header(rendered: RenderResponse): string {
  return [
    `# Rendered by the AI platform portal from ${rendered.endpointRef}`,
    `# (model version ${rendered.modelVersion}, cluster ${rendered.cluster}, namespace ${rendered.namespace},`,
    `# deploy target ${targetOf(rendered)}).`,
    '# The portal applies these objects with server-side apply when it deploys the',
    '# endpoint: change the InferenceEndpoint in catalog-info.yaml, not this file.',
    '',
  ].join('\n');
}

/** What the objects were rendered as: a KServe LLMInferenceService, or a plain Deployment. */
function targetOf(
  rendered: RenderResponse,
): 'deployment' | 'llm-inference-service' {
  return rendered.objects.some(o => o.kind === 'LLMInferenceService')
    ? 'llm-inference-service'
    : 'deployment';
}

/** File names per object: `<kind>.yaml`, or `<kind>-<name>.yaml` when a kind repeats. */
function fileNames(objects: RenderedManifest[]): string[] {
  const counts = new Map<string, number>();
  for (const o of objects) {
    counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  }
  return objects.map(o => {
    const kind = o.kind.toLocaleLowerCase('en-US');
    return counts.get(o.kind)! > 1
      ? `${kind}-${o.metadata.name}.yaml`
      : `${kind}.yaml`;
  });
}

/**
 * `ai-platform:endpoint:render`: the Kubernetes objects an InferenceEndpoint
 * would apply (from `POST /api/ai-platform/render`, as the user who runs the
 * template), written as YAML into the workspace: one file per object plus a
 * kustomization.yaml, or one multi-document file.
 */
export function createEndpointRenderAction(options: {
  client: AiPlatformClient;
  auth: AuthService;
}) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'ai-platform:endpoint:render',
    description:
      "Renders an InferenceEndpoint's Kubernetes manifests (vLLM Deployment, Service, PodDisruptionBudget, autoscaler; or a KServe LLMInferenceService where the cluster's deploy target is llm-inference-service) into the workspace",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...endpointInputSchema,
        modelVersion: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              "Render another version of the model than the entity's spec.modelVersion",
            ),
        targetPath: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'Folder in the workspace for the manifests (default deploy/kubernetes)',
            ),
        singleFile: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Write one multi-document manifests.yaml instead of one file per object and a kustomization.yaml',
            ),
      },
      output: {
        endpointRef: z =>
          z.string().describe('The rendered InferenceEndpoint entity ref'),
        cluster: z =>
          z.string().describe("The pool's cluster the objects are for"),
        target: z =>
          z
            .enum(['deployment', 'llm-inference-service'])
            .describe(
              "The deploy target the cluster's config chose (aiPlatform.deploy.clusters.<name>.target): a plain Deployment, or a KServe LLMInferenceService",
            ),
        namespace: z => z.string().describe('Namespace of the objects'),
        tensorParallelSize: z =>
          z.number().describe('--tensor-parallel-size of the rendered server'),
        gpus: z =>
          z
            .number()
            .describe(
              'GPUs the endpoint reserves on its pool (gpusPerReplica x max replicas)',
            ),
        objects: z =>
          z
            .array(
              z.object({
                apiVersion: z.string(),
                kind: z.string(),
                name: z.string(),
                namespace: z.string().optional(),
                path: z.string(),
              }),
            )
            .describe(
              'The rendered objects and the workspace file each was written to',
            ),
        files: z =>
          z
            .array(z.string())
            .describe('Workspace paths of the files written, in order'),
        warnings: z =>
          z
            .array(z.string())
            .describe('Things worth knowing that did not stop the render'),
      },
    },
    async handler(ctx) {
      const { modelVersion, singleFile } = ctx.input;
      const { endpoint, endpointRef } = await readEndpointInput({
        input: ctx.input,
        workspacePath: ctx.workspacePath,
      });
      const targetPath = ctx.input.targetPath ?? 'deploy/kubernetes';
      const folder = resolveSafeChildPath(ctx.workspacePath, targetPath);
      const token = await initiatorToken({ ctx, auth });
      let rendered: RenderResponse;
      try {
        rendered = await client.render(
          { endpoint, ...(modelVersion ? { modelVersion } : {}) },
          { token },
        );
      } catch (error) {
        throw new InputError(
          `Cannot render ${endpointRef}: ${describeError(error)}`,
        );
      }
      for (const warning of rendered.warnings) {
        ctx.logger.warn(warning);
      }

      await fs.mkdir(folder, { recursive: true });
      const written: string[] = [];
      const objects: Array<{
        apiVersion: string;
        kind: string;
        name: string;
        namespace?: string;
        path: string;
      }> = [];
      const describe = (o: RenderedManifest, file: string) => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
        path: path.posix.join(targetPath, file),
      });
      if (singleFile) {
        const text = `${header(rendered)}${yamlStream(rendered.objects)}`;
        await fs.writeFile(path.join(folder, 'manifests.yaml'), text);
        written.push(path.posix.join(targetPath, 'manifests.yaml'));
        objects.push(
          ...rendered.objects.map(o => describe(o, 'manifests.yaml')),
        );
      } else {
        const names = fileNames(rendered.objects);
        for (const [index, object] of rendered.objects.entries()) {
          await fs.writeFile(
            path.join(folder, names[index]),
            `${header(rendered)}${yaml.stringify(object)}`,
          );
          written.push(path.posix.join(targetPath, names[index]));
          objects.push(describe(object, names[index]));
        }
        await fs.writeFile(
          path.join(folder, 'kustomization.yaml'),
          `${header(rendered)}${yaml.stringify({
            apiVersion: 'kustomize.config.k8s.io/v1beta1',
            kind: 'Kustomization',
            resources: names,
          })}`,
        );
        written.push(path.posix.join(targetPath, 'kustomization.yaml'));
      }
      ctx.logger.info(
        `Rendered ${rendered.objects.length} objects for ${
          rendered.endpointRef
        } into ${targetPath}: ${objects
          .map(o => `${o.kind}/${o.name}`)
          .join(', ')}`,
      );

      ctx.output('endpointRef', rendered.endpointRef);
      ctx.output('cluster', rendered.cluster);
      ctx.output('target', targetOf(rendered));
      ctx.output('namespace', rendered.namespace);
      ctx.output('tensorParallelSize', rendered.tensorParallelSize);
      ctx.output('gpus', rendered.gpus);
      ctx.output('objects', objects);
      ctx.output('files', written);
      ctx.output('warnings', rendered.warnings);
    },
  });
}
