// ./scripts/start --kubeconfig: the portal deploys to the current context of
// your kubeconfig (KUBECONFIG, else ~/.kube/config) instead of the simulated
// clusters.
//
//   node scripts/kubeconfig-proxy.mjs --out .data/app-config.kubeconfig.yaml
//
// Like `kubectl proxy`: listens on a free loopback port and forwards every
// request to the context's API server, signed with the context's own
// credentials (client certificates as kind and minikube write them, tokens,
// exec plugins such as aws or gke-gcloud-auth-plugin), through
// @kubernetes/client-node. It writes an app-config file whose
// kubernetes.clusterLocatorMethods entry (type config, the form Backstage's
// Kubernetes plugin and the ai-platform plugins read) names every cluster of
// app-config.yaml's entries (the example pools' gpu-us-east and gpu-eu-west)
// and points them at this proxy, with a random token that only this proxy
// accepts. No credential of yours is copied into the file. Prints "Ready"
// once it listens; SIGINT or SIGTERM stops it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const outArg = argv.indexOf('--out');
const out = path.resolve(
  outArg >= 0 ? argv[outArg + 1] : '.data/app-config.kubeconfig.yaml',
);
const log = message => process.stdout.write(`[kubeconfig] ${message}\n`);
const fail = message => {
  process.stderr.write(`[kubeconfig] ${message}\n`);
  process.exit(1);
};

const kc = new KubeConfig();
try {
  kc.loadFromDefault();
} catch (error) {
  fail(`Cannot read your kubeconfig: ${error.message}`);
}
const contextName = kc.getCurrentContext();
const cluster = kc.getCurrentCluster();
if (!contextName || !cluster) {
  fail(
    `Your kubeconfig (${
      process.env.KUBECONFIG ?? '~/.kube/config'
    }) has no current context: run \`kubectl config use-context <name>\` first`,
  );
}
const upstream = new URL(cluster.server);

// The cluster names the portal's pools use: those of app-config.yaml.
const appConfig = parse(
  fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'),
);
const names = (appConfig?.kubernetes?.clusterLocatorMethods ?? [])
  .filter(m => m.type === 'config')
  .flatMap(m => m.clusters ?? [])
  .map(c => c.name);
if (!names.length) fail('app-config.yaml configures no cluster');

const token = crypto.randomBytes(24).toString('hex');

const server = http.createServer(async (req, res) => {
  if (req.headers.authorization !== `Bearer ${token}`) {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      }),
    );
    return;
  }
  const target = new URL(
    `${upstream.pathname.replace(/\/$/, '')}${req.url}`,
    upstream,
  );
  const { authorization, host, connection, ...headers } = req.headers;
  const options = { method: req.method, headers };
  try {
    // Client certificate and key, CA, token or exec credential of the context.
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`kubeconfig credentials failed: ${error.message}`);
    return;
  }
  const request = (target.protocol === 'http:' ? http : https).request(
    target,
    options,
    answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  request.on('error', error => {
    if (!res.headersSent) {
      res.writeHead(502, { 'Content-Type': 'text/plain' });
    }
    res.end(`${cluster.server}: ${error.message}`);
  });
  res.on('close', () => request.destroy());
  req.pipe(request);
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const entry = name =>
    [
      `        - name: ${name}`,
      `          title: ${JSON.stringify(
        `${contextName} (your kubeconfig's current context)`,
      )}`,
      `          url: http://127.0.0.1:${port}`,
      '          authProvider: serviceAccount',
      `          serviceAccountToken: ${token}`,
      '          skipTLSVerify: true',
      '          skipMetricsLookup: true',
    ].join('\n');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    [
      `# Written by ./scripts/start --kubeconfig at ${new Date().toISOString()}:`,
      `# every cluster of the example pools is the current context of your`,
      `# kubeconfig, "${contextName}" (${cluster.server}), reached through`,
      `# scripts/kubeconfig-proxy.mjs on loopback (the token is the proxy's own,`,
      `# random on every start). Rewritten on every start; do not edit.`,
      'kubernetes:',
      '  clusterLocatorMethods:',
      '    - type: config',
      '      clusters:',
      ...names.map(entry),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  log(
    `Context ${contextName} (${
      cluster.server
    }) through http://127.0.0.1:${port} for clusters ${names.join(
      ', ',
    )}; config in ${path.relative(root, out)}`,
  );
  log('Ready');
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
