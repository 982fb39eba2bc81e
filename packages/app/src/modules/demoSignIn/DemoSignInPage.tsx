import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  ErrorPanel,
} from '@backstage/core-components';
import {
  configApiRef,
  useApi,
  type IdentityApi,
} from '@backstage/frontend-plugin-api';
import type { SignInPageProps } from '@backstage/plugin-app-react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

/** The demo's identities: one auth provider (auth.providers.<id>) each. */
export const demoIdentities = [
  {
    provider: 'guest',
    title: 'Guest (member of Applied ML)',
    description:
      'Signs you in as user:default/guest, a member of the Applied ML team: you may ask for more GPUs for your team, not approve requests.',
    action: 'Enter as guest',
  },
  {
    provider: 'demoAdmin',
    title: 'Demo admin (ML Platform)',
    description:
      'Signs you in as user:default/alice, a member of ML Platform, the platform admins: you may approve quota requests, override gates and read the audit log.',
    action: 'Enter as demo admin',
  },
] as const;

export type DemoProvider = (typeof demoIdentities)[number]['provider'];

/** Where the chosen identity is remembered, so a reload signs in again. */
export const DEMO_PROVIDER_STORAGE_KEY = 'ai-platform:demo-sign-in-provider';

function storedProvider(): DemoProvider | undefined {
  const stored = window.localStorage.getItem(DEMO_PROVIDER_STORAGE_KEY);
  return demoIdentities.find(i => i.provider === stored)?.provider;
}

/** Forgets the chosen identity on sign-out, so the choice is offered again. */
function forgetOnSignOut(identity: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(DEMO_PROVIDER_STORAGE_KEY);
      await identity.signOut();
    },
  };
}

/** Why signing in failed, and a way back to the choice of identity. */
function SignInFailed(props: {
  appTitle: string;
  identityTitle: string;
  error: Error;
  onBack: () => void;
}) {
  return (
    <Page themeId="home">
      <Header title={props.appTitle} />
      <Content>
        <ErrorPanel
          title={`Could not sign in as ${props.identityTitle}`}
          error={props.error}
        />
        <Button color="primary" variant="outlined" onClick={props.onBack}>
          Choose another identity
        </Button>
      </Content>
    </Page>
  );
}

/**
 * The demo's sign-in page: a choice of the member (guest) or the admin
 * identity, both guest-style providers of the auth backend. The choice is
 * remembered until sign-out. A production app replaces this page with its
 * identity provider's.
 */
export function DemoSignInPage({ onSignInSuccess }: SignInPageProps) {
  const title =
    useApi(configApiRef).getOptionalString('app.title') ?? 'Backstage';
  const [provider, setProvider] = useState(storedProvider);

  const choose = (chosen: DemoProvider | undefined) => {
    if (chosen) {
      window.localStorage.setItem(DEMO_PROVIDER_STORAGE_KEY, chosen);
    } else {
      window.localStorage.removeItem(DEMO_PROVIDER_STORAGE_KEY);
    }
    setProvider(chosen);
  };

  if (provider) {
    return (
      <ProxiedSignInPage
        key={provider}
        provider={provider}
        onSignInSuccess={identity => onSignInSuccess(forgetOnSignOut(identity))}
        ErrorComponent={({ error }) => (
          <SignInFailed
            appTitle={title}
            identityTitle={
              demoIdentities.find(i => i.provider === provider)?.title ??
              provider
            }
            error={error ?? new Error('Sign-in failed')}
            onBack={() => choose(undefined)}
          />
        )}
      />
    );
  }

  return (
    <Page themeId="home">
      <Header title={title} />
      <Content>
        <Grid container spacing={2} component="ul" style={{ padding: 0 }}>
          {demoIdentities.map(identity => (
            <Grid
              item
              key={identity.provider}
              component="li"
              xs={12}
              sm={6}
              md={4}
              style={{ listStyle: 'none' }}
            >
              <InfoCard
                title={identity.title}
                variant="fullHeight"
                actions={
                  <Button
                    color="primary"
                    variant="outlined"
                    onClick={() => choose(identity.provider)}
                  >
                    {identity.action}
                  </Button>
                }
              >
                <Typography variant="body1">{identity.description}</Typography>
              </InfoCard>
            </Grid>
          ))}
        </Grid>
      </Content>
    </Page>
  );
}
