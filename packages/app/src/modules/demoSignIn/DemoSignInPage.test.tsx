import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { discoveryApiRef } from '@backstage/frontend-plugin-api';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import type { IdentityApi } from '@backstage/frontend-plugin-api';
import { DEMO_PROVIDER_STORAGE_KEY, DemoSignInPage } from './DemoSignInPage';

const discoveryApi = {
  getBaseUrl: async (pluginId: string) => `http://backend/api/${pluginId}`,
};

/** A proxied sign-in answer, as the auth backend's /refresh gives it. */
function session(userEntityRef: string) {
  return {
    profile: {},
    backstageIdentity: {
      token: 'header.eyJzdWIiOiJ4In0.signature',
      identity: {
        type: 'user',
        userEntityRef,
        ownershipEntityRefs: [userEntityRef],
      },
    },
  };
}

describe('DemoSignInPage', () => {
  const fetchMock = jest.fn();
  const originalFetch = global.fetch;

  beforeEach(() => {
    window.localStorage.clear();
    fetchMock.mockReset();
    global.fetch = fetchMock;
  });
  afterAll(() => {
    global.fetch = originalFetch;
  });

  function answer(userEntityRef: string) {
    fetchMock.mockResolvedValue({
      ok: true,
      status: 200,
      json: async () => session(userEntityRef),
    } as Response);
  }

  async function render(onSignInSuccess: (identity: IdentityApi) => void) {
    await renderInTestApp(
      <DemoSignInPage onSignInSuccess={onSignInSuccess} />,
      { apis: [[discoveryApiRef, discoveryApi]] },
    );
  }

  it('offers the member and the admin identity', async () => {
    await render(jest.fn());
    expect(
      await screen.findByText('Guest (member of Applied ML)'),
    ).toBeInTheDocument();
    expect(screen.getByText('Demo admin (ML Platform)')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Enter as guest' }),
    ).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it.each([
    ['Enter as demo admin', 'demoAdmin', 'user:default/alice'],
    ['Enter as guest', 'guest', 'user:default/guest'],
  ])(
    '%s signs in through the %s provider and remembers it until sign-out',
    async (button, provider, userEntityRef) => {
      answer(userEntityRef);
      const onSignInSuccess = jest.fn();
      await render(onSignInSuccess);

      await userEvent.click(
        await screen.findByRole('button', { name: button }),
      );

      await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
      expect(fetchMock.mock.calls[0][0]).toBe(
        `http://backend/api/auth/${provider}/refresh`,
      );
      const identity: IdentityApi = onSignInSuccess.mock.calls[0][0];
      await expect(identity.getBackstageIdentity()).resolves.toMatchObject({
        userEntityRef,
      });
      expect(window.localStorage.getItem(DEMO_PROVIDER_STORAGE_KEY)).toBe(
        provider,
      );

      await identity.signOut();
      expect(window.localStorage.getItem(DEMO_PROVIDER_STORAGE_KEY)).toBe(null);
    },
  );

  it('signs in again with the remembered identity without asking', async () => {
    window.localStorage.setItem(DEMO_PROVIDER_STORAGE_KEY, 'demoAdmin');
    answer('user:default/alice');
    const onSignInSuccess = jest.fn();
    await render(onSignInSuccess);

    await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
    expect(fetchMock.mock.calls[0][0]).toBe(
      'http://backend/api/auth/demoAdmin/refresh',
    );
    expect(
      screen.queryByRole('button', { name: 'Enter as guest' }),
    ).not.toBeInTheDocument();
  });

  it('shows why sign-in failed and lets you choose another identity', async () => {
    fetchMock.mockResolvedValue({
      ok: false,
      status: 404,
      statusText: 'Not Found',
      headers: new Headers({ 'content-type': 'application/json' }),
      text: async () =>
        JSON.stringify({
          error: {
            name: 'NotFoundError',
            message: "No auth provider registered for 'demoAdmin'",
          },
          response: { statusCode: 404 },
        }),
      json: async () => ({
        error: {
          name: 'NotFoundError',
          message: "No auth provider registered for 'demoAdmin'",
        },
        response: { statusCode: 404 },
      }),
    } as unknown as Response);
    const onSignInSuccess = jest.fn();
    await render(onSignInSuccess);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Enter as demo admin' }),
    );

    expect(
      await screen.findByText(/Could not sign in as Demo admin/),
    ).toBeInTheDocument();
    expect(onSignInSuccess).not.toHaveBeenCalled();
    await userEvent.click(
      screen.getByRole('button', { name: 'Choose another identity' }),
    );
    expect(
      await screen.findByRole('button', { name: 'Enter as guest' }),
    ).toBeInTheDocument();
    expect(window.localStorage.getItem(DEMO_PROVIDER_STORAGE_KEY)).toBe(null);
  });
});
