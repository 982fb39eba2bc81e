import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { AI_PLATFORM_API_VERSION } from '@internal/plugin-ai-platform-common';
import fs from 'fs/promises';
import { parseAllDocuments } from 'yaml';
import type { z as zod } from 'zod/v3';

/** The inputs that name the endpoint, shared by the render and deploy actions. */
export const endpointInputSchema = {
  endpoint: (z: typeof zod) =>
    z
      .union([z.string().min(1), z.record(z.unknown())])
      .optional()
      .describe(
        'The InferenceEndpoint: an entity ref (e.g. inferenceendpoint:default/chat) of one in the catalog, or a whole entity object for one not in the catalog yet. Give this or catalogInfoPath.',
      ),
  catalogInfoPath: (z: typeof zod) =>
    z
      .string()
      .min(1)
      .optional()
      .describe(
        'Instead of endpoint: a catalog-info.yaml in the workspace (e.g. one fetch:template wrote); its InferenceEndpoint document is used.',
      ),
};

/** The endpoint an action works on, and its entity ref. */
export type EndpointInput = {
  /** What the API takes: the ref, or the entity object. */
  endpoint: string | Record<string, unknown>;
  /** `inferenceendpoint:<namespace>/<name>`, lower case. */
  endpointRef: string;
};

/**
 * The entity ref of an InferenceEndpoint ref string, with the kind and
 * namespace defaulted as the API does; lower case, so it is stable as a key.
 */
export function endpointRefOf(endpoint: string | Record<string, unknown>) {
  if (typeof endpoint !== 'string') {
    const metadata = (endpoint.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata.name !== 'string' || !metadata.name) {
      throw new InputError(
        'endpoint: an entity object needs metadata.name (and apiVersion, kind InferenceEndpoint, spec)',
      );
    }
    const namespace =
      typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
    return `inferenceendpoint:${namespace}/${metadata.name}`.toLocaleLowerCase(
      'en-US',
    );
  }
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(endpoint.trim());
  if (!match) {
    throw new InputError(
      `endpoint: "${endpoint}" is not an entity ref such as inferenceendpoint:default/chat`,
    );
  }
  const [, kind = 'InferenceEndpoint', namespace = 'default', name] = match;
  if (kind.toLocaleLowerCase('en-US') !== 'inferenceendpoint') {
    throw new InputError(
      `endpoint: "${endpoint}" names a ${kind}, not an InferenceEndpoint`,
    );
  }
  return `inferenceendpoint:${namespace}/${name}`.toLocaleLowerCase('en-US');
}

/**
 * Reads the endpoint from the action input: `endpoint` (a ref or an entity),
 * or the InferenceEndpoint document of `catalogInfoPath` in the workspace.
 */
export async function readEndpointInput(options: {
  input: {
    endpoint?: string | Record<string, unknown>;
    catalogInfoPath?: string;
  };
  workspacePath: string;
}): Promise<EndpointInput> {
  const { endpoint, catalogInfoPath } = options.input;
  if (endpoint !== undefined && catalogInfoPath !== undefined) {
    throw new InputError('Give either endpoint or catalogInfoPath, not both');
  }
  if (endpoint !== undefined) {
    return { endpoint, endpointRef: endpointRefOf(endpoint) };
  }
  if (catalogInfoPath === undefined) {
    throw new InputError(
      'endpoint or catalogInfoPath is required: name the InferenceEndpoint to work on',
    );
  }
  const file = resolveSafeChildPath(options.workspacePath, catalogInfoPath);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(
      `catalogInfoPath: cannot read ${catalogInfoPath} in the workspace: ${
        (error as Error).message
      }`,
    );
  }
  const documents = parseAllDocuments(text);
  const found: Record<string, unknown>[] = [];
  for (const [index, document] of documents.entries()) {
    if (document.errors.length) {
      throw new InputError(
        `catalogInfoPath: document ${
          index + 1
        } of ${catalogInfoPath} is not valid YAML: ${
          document.errors[0].message
        }`,
      );
    }
    const value = document.toJS() as Record<string, unknown> | null;
    if (
      value?.kind === 'InferenceEndpoint' &&
      value.apiVersion === AI_PLATFORM_API_VERSION
    ) {
      found.push(value);
    }
  }
  if (found.length !== 1) {
    throw new InputError(
      `catalogInfoPath: ${catalogInfoPath} must hold exactly one InferenceEndpoint (apiVersion ${AI_PLATFORM_API_VERSION}); it holds ${found.length}`,
    );
  }
  return { endpoint: found[0], endpointRef: endpointRefOf(found[0]) };
}
