import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import authPlugin from '@backstage/plugin-auth-backend';
import guestProviderModule from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  quotaManagePermission,
  quotaRequestPermission,
} from '@internal/plugin-ai-platform-common';
import { AiPlatformPermissionPolicy } from '../permissionPolicy';
import authModuleDemoAdminProvider from '.';

const orgFile = path.resolve(__dirname, '../../../../../examples/org.yaml');

/** The demo's identities and policy, as app-config.yaml sets them. */
const demoConfig = {
  app: { baseUrl: 'http://localhost:3000' },
  auth: {
    providers: {
      guest: {
        userEntityRef: 'user:default/guest',
        dangerouslyAllowOutsideDevelopment: true,
      },
      demoAdmin: {
        userEntityRef: 'user:default/alice',
        dangerouslyAllowOutsideDevelopment: true,
      },
    },
  },
  catalog: {
    rules: [{ allow: ['User', 'Group', 'Location'] }],
    locations: [{ type: 'file', target: orgFile }],
    processingInterval: { seconds: 1 },
  },
  aiPlatform: {
    permissions: {
      platformAdmins: ['group:default/ml-platform'],
      costReaders: 'everyone',
      auditReaders: ['group:default/ml-platform'],
    },
  },
};

/** What the auth backend answers a sign-in with, as the app reads it. */
type Claims = { sub: string; ent: string[] };

function claimsOf(body: {
  backstageIdentity: {
    token: string;
    identity: { userEntityRef: string; ownershipEntityRefs: string[] };
  };
}): Claims {
  const payload = JSON.parse(
    Buffer.from(
      body.backstageIdentity.token.split('.')[1],
      'base64url',
    ).toString('utf8'),
  );
  // The token's subject and the identity the app is given must agree.
  expect(payload.sub).toBe(body.backstageIdentity.identity.userEntityRef);
  return {
    sub: payload.sub,
    ent: body.backstageIdentity.identity.ownershipEntityRefs,
  };
}

function userOf(claims: Claims): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(claims.sub),
    info: { userEntityRef: claims.sub, ownershipEntityRefs: claims.ent },
  };
}

type DemoBackend = { url: string; stop: () => Promise<void> };

async function startDemoBackend(config: object): Promise<DemoBackend> {
  const backend = await startTestBackend({
    features: [
      authPlugin,
      guestProviderModule,
      authModuleDemoAdminProvider,
      catalogPlugin,
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  return { url: `http://localhost:${port}`, stop: () => backend.stop() };
}

async function refresh(backend: DemoBackend, provider: string) {
  const res = await fetch(`${backend.url}/api/auth/${provider}/refresh`);
  return { status: res.status, body: await res.json() };
}

/** Signs in through a provider, retrying while the catalog ingests org.yaml. */
async function signIn(backend: DemoBackend, provider: string): Promise<Claims> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await refresh(backend, provider);
    if (res.status === 200) {
      return claimsOf(res.body);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `sign-in with ${provider} failed: ${res.status} ${JSON.stringify(
          res.body,
        )}`,
      );
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('authModuleDemoAdminProvider', () => {
  it('signs in as Alice with her catalog groups; guest stays a member of Applied ML', async () => {
    const backend = await startDemoBackend(demoConfig);

    const admin = await signIn(backend, 'demoAdmin');
    expect(admin.sub).toBe('user:default/alice');
    expect(admin.ent).toEqual(
      expect.arrayContaining([
        'user:default/alice',
        'group:default/ml-platform',
      ]),
    );

    const guest = await signIn(backend, 'guest');
    expect(guest.sub).toBe('user:default/guest');
    expect(guest.ent).toContain('group:default/applied-ml');
    expect(guest.ent).not.toContain('group:default/ml-platform');

    // The permission outcome with the demo's policy: the admin may approve
    // quota requests (quota.manage); the member may not, but may ask for
    // more GPUs for their own team (a team-member condition).
    const policy = AiPlatformPermissionPolicy.fromConfig(
      new ConfigReader(demoConfig),
    );
    await expect(
      policy.handle({ permission: quotaManagePermission }, userOf(admin)),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy.handle({ permission: quotaManagePermission }, userOf(guest)),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
    await expect(
      policy.handle({ permission: quotaRequestPermission }, userOf(guest)),
    ).resolves.toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { params: { claims: guest.ent } },
    });
    await backend.stop();
  });

  it('is not served when auth.providers.demoAdmin is absent or null', async () => {
    for (const demoAdmin of [undefined, null]) {
      const backend = await startDemoBackend({
        ...demoConfig,
        auth: { providers: { ...demoConfig.auth.providers, demoAdmin } },
      });
      const res = await refresh(backend, 'demoAdmin');
      expect(res.status).toBe(404);
      expect(res.body.error.message).toMatch(
        /No auth provider registered for 'demoAdmin'/,
      );
      await backend.stop();
    }
  });

  it('fails the backend start outside development unless explicitly allowed', async () => {
    await expect(
      startDemoBackend({
        ...demoConfig,
        auth: {
          providers: {
            demoAdmin: { userEntityRef: 'user:default/alice' },
          },
        },
      }),
    ).rejects.toThrow(/Failed to initialize demoAdmin auth provider/);
  });

  it('refuses a user who is not in the catalog', async () => {
    const backend = await startDemoBackend({
      ...demoConfig,
      auth: {
        providers: {
          guest: demoConfig.auth.providers.guest,
          demoAdmin: {
            userEntityRef: 'user:default/nobody',
            dangerouslyAllowOutsideDevelopment: true,
          },
        },
      },
    });
    // Once guest signs in, the catalog has the org: "not found" is real.
    await signIn(backend, 'guest');
    const res = await refresh(backend, 'demoAdmin');
    expect(res.status).toBe(404);
    expect(res.body.error.name).toBe('NotFoundError');
    await backend.stop();
  });
});
