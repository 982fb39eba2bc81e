import fs from 'fs';
import os from 'os';
import path from 'path';
import { kubeConfigOptions } from './kubeConfigOptions';

describe('kubeConfigOptions', () => {
  it('connects with the service account token and the inline CA', () => {
    expect(
      kubeConfigOptions({
        name: 'gpu-us-east',
        url: 'https://k8s.example.com',
        auth: { provider: 'serviceAccount', token: 't0k' },
        caData: 'Q0E=',
        skipTLSVerify: false,
      }),
    ).toEqual({
      clusters: [
        {
          name: 'gpu-us-east',
          server: 'https://k8s.example.com',
          skipTLSVerify: false,
          caData: 'Q0E=',
        },
      ],
      users: [{ name: 'ai-platform', token: 't0k' }],
      contexts: [
        { name: 'ai-platform', cluster: 'gpu-us-east', user: 'ai-platform' },
      ],
      currentContext: 'ai-platform',
    });
  });

  it('reads caFile as base64 and leaves the token out when there is none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-'));
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, 'PEM');
    const options = kubeConfigOptions({
      name: 'c',
      url: 'https://c',
      auth: { provider: 'serviceAccount' },
      caFile,
      skipTLSVerify: false,
    });
    expect(options.clusters[0].caData).toBe(
      Buffer.from('PEM').toString('base64'),
    );
    expect(options.users[0]).toEqual({ name: 'ai-platform' });
  });

  it('names the cluster and the config when caFile cannot be read', () => {
    const caFile = path.join(os.tmpdir(), 'no-such-dir-ai-platform', 'ca.pem');
    expect(() =>
      kubeConfigOptions({
        name: 'gpu-eu',
        url: 'https://c',
        auth: { provider: 'serviceAccount', token: 't' },
        caFile,
        skipTLSVerify: false,
      }),
    ).toThrow(
      `Cluster "gpu-eu": its caFile ${caFile} cannot be read (ENOENT); fix kubernetes.clusterLocatorMethods[].clusters[].caFile, or give the CA inline as caData`,
    );
  });

  it('passes skipTLSVerify through, and prefers caData over caFile', () => {
    const options = kubeConfigOptions({
      name: 'dev',
      url: 'https://dev',
      auth: { provider: 'serviceAccount', token: 't' },
      caData: 'Q0E=',
      caFile: '/does/not/matter',
      skipTLSVerify: true,
    });
    expect(options.clusters[0]).toEqual({
      name: 'dev',
      server: 'https://dev',
      skipTLSVerify: true,
      caData: 'Q0E=',
    });
  });
});
