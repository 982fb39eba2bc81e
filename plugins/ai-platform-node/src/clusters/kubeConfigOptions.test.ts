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
});
