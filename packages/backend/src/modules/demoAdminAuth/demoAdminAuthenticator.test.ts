import { ConfigReader } from '@backstage/config';
import { readDemoAdminConfig } from './demoAdminAuthenticator';

describe('readDemoAdminConfig', () => {
  const read = (data: object, nodeEnv = 'development') =>
    readDemoAdminConfig(new ConfigReader(data), nodeEnv);

  it.each([
    ['user:default/alice', 'user:default/alice'],
    ['user:alice', 'user:default/alice'],
    ['alice', 'user:default/alice'],
    ['other/alice', 'user:other/alice'],
    ['User:default/Alice', 'user:default/Alice'],
  ])('reads userEntityRef %s as %s', (given, expected) => {
    expect(read({ userEntityRef: given })).toEqual({
      userEntityRef: expected,
    });
  });

  it.each(['group:default/ml-platform', 'user:a/b/c', 'user:', ' '])(
    'rejects userEntityRef %j, naming the key',
    given => {
      expect(() => read({ userEntityRef: given })).toThrow(
        /auth\.providers\.demoAdmin\.userEntityRef must be a user entity reference/,
      );
    },
  );

  it('requires userEntityRef', () => {
    expect(() => read({})).toThrow(/userEntityRef/);
  });

  it.each(['production', 'test', undefined])(
    'refuses outside development (NODE_ENV=%s)',
    nodeEnv => {
      expect(() =>
        readDemoAdminConfig(
          new ConfigReader({ userEntityRef: 'user:default/alice' }),
          nodeEnv,
        ),
      ).toThrow(/only runs in a development environment/);
    },
  );

  it('runs outside development with dangerouslyAllowOutsideDevelopment', () => {
    expect(
      read(
        {
          userEntityRef: 'user:default/alice',
          dangerouslyAllowOutsideDevelopment: true,
        },
        'production',
      ),
    ).toEqual({ userEntityRef: 'user:default/alice' });
  });
});
