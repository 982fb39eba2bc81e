import { REDACTED, redactSecrets, redactString } from './redactSecrets';

describe('redactSecrets', () => {
  it('removes values under secret-looking keys, at any depth', () => {
    expect(
      redactSecrets({
        version: 'v2',
        Authorization: 'Bearer abc.def.ghi',
        headers: { cookie: 'session=1', 'x-api-key': 'k' },
        apiKeySecret: 'chat-api-key',
        nested: [{ password: 'hunter2', hfToken: 'hf_x', keep: 1 }],
      }),
    ).toEqual({
      version: 'v2',
      Authorization: REDACTED,
      headers: { cookie: REDACTED, 'x-api-key': REDACTED },
      apiKeySecret: REDACTED,
      nested: [{ password: REDACTED, hfToken: REDACTED, keep: 1 }],
    });
  });

  it('removes credentials that appear inside ordinary strings', () => {
    expect(
      redactString(
        'calling with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl and api_key=sk-proj-abcdefgh12345678 and hf_abcdefghijklmnop',
      ),
    ).toBe(`calling with ${REDACTED} and api_key=${REDACTED} and ${REDACTED}`);
    expect(redactSecrets({ note: 'ghp_0123456789abcdefABCDEF' })).toEqual({
      note: REDACTED,
    });
  });

  it('removes credentials and secret query parameters from URLs', () => {
    expect(
      redactString(
        'https://user:pa55@infer.example.com/v1?api_key=abc123&model=x',
      ),
    ).toBe(
      `https://${REDACTED}@infer.example.com/v1?api_key=${REDACTED}&model=x`,
    );
  });

  it('leaves ordinary data alone', () => {
    const data = {
      model: 'model:default/bge-m3',
      version: 'v1',
      gpus: 4,
      ok: true,
      none: null,
    };
    expect(redactSecrets(data)).toEqual(data);
  });
});
