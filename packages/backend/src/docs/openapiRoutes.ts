/**
 * The routes (`METHOD /path`) of an OpenAPI document written in YAML, read
 * from its `paths:` section by indentation (paths at two spaces, methods at
 * four), so that the docs test needs no YAML parser.
 */
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

export function listOpenApiRoutes(yamlText: string): string[] {
  const routes: string[] = [];
  let inPaths = false;
  let currentPath: string | undefined;
  for (const line of yamlText.split('\n')) {
    if (/^\S/.test(line)) {
      inPaths = /^paths:\s*$/.test(line);
      currentPath = undefined;
      continue;
    }
    if (!inPaths) continue;
    const pathMatch = /^ {2}['"]?(\/[^'":]*)['"]?:\s*$/.exec(line);
    if (pathMatch) {
      currentPath = pathMatch[1];
      continue;
    }
    const methodMatch = /^ {4}(\w+):/.exec(line);
    if (currentPath && methodMatch && METHODS.includes(methodMatch[1])) {
      routes.push(`${methodMatch[1].toUpperCase()} ${currentPath}`);
    }
  }
  return routes;
}
