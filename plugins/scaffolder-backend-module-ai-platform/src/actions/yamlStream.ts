import yaml from 'yaml';

/** Kubernetes objects as one multi-document YAML stream, as kubectl reads it. */
export function yamlStream(objects: object[]): string {
  return objects.map(o => yaml.stringify(o)).join('---\n');
}
