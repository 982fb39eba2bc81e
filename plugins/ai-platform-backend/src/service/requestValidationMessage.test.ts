import { requestValidationMessage } from './requestValidationMessage';

describe('requestValidationMessage', () => {
  it('names each field and why, per place, in the routes’ wording', () => {
    expect(
      requestValidationMessage(
        "request/body must have required property 'version', request/body/format must be equal to one of the allowed values: lm-evaluation-harness, generic, request/query/limit must be integer",
      ),
    ).toBe(
      'Invalid body: version: is required; format: must be equal to one of the allowed values: lm-evaluation-harness, generic. Invalid query: limit: must be integer',
    );
  });

  it('names nested fields with dots, and a too-short reason as the routes do', () => {
    expect(
      requestValidationMessage(
        "request/body/results/scores/0 must have required property 'task', request/body/reason must NOT have fewer than 10 characters, request/body/title must NOT have fewer than 3 characters",
      ),
    ).toBe(
      'Invalid body: results.scores.0.task: is required; reason: give a reason of at least 10 characters; title: must be at least 3 characters',
    );
  });

  it('names a blank name as blank', () => {
    expect(
      requestValidationMessage(
        'request/query/model must match pattern "\\S", request/body/task must match pattern "\\S"',
      ),
    ).toBe(
      'Invalid query: model: must not be blank. Invalid body: task: must not be blank',
    );
  });

  it('says what the spec’s namespace and entity-name patterns mean', () => {
    expect(
      requestValidationMessage(
        'request/params/namespace must match pattern "^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$", request/params/name must match pattern "^[A-Za-z0-9][-A-Za-z0-9_.]*$"',
      ),
    ).toBe(
      'Invalid params: namespace: must be a catalog namespace such as default; name: must be an entity name',
    );
    expect(
      requestValidationMessage(
        'request/body/month must match pattern "^\\d{4}-(0[1-9]|1[0-2])$", request/body/currency must match pattern "^[A-Z]{3}$"',
      ),
    ).toBe(
      'Invalid body: month: must be a month like 2026-11; currency: must be an ISO 4217 code such as USD',
    );
  });

  it('names an unknown query parameter, a whole body, and keeps other text', () => {
    expect(requestValidationMessage("Unknown query parameter 'foo'")).toBe(
      'Invalid query: foo: is not a parameter of this route',
    );
    expect(requestValidationMessage('request/body must be object')).toBe(
      'Invalid body: body: must be object',
    );
    expect(requestValidationMessage('unsupported media type text/plain')).toBe(
      'unsupported media type text/plain',
    );
  });
});
