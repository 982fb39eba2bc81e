import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';

describe('label selectors', () => {
  const labels = { app: 'chat', tier: 'gpu', env: 'prod' };
  it.each([
    ['app=chat', true],
    ['app==chat', true],
    ['app!=chat', false],
    ['missing!=x', true],
    ['app in (chat, embed)', true],
    ['app notin (chat)', false],
    ['tier,env=prod', true],
    ['!tier', false],
    ['!missing', true],
    ['app in (a,b),tier', false],
  ])('%s matches: %s', (selector, expected) => {
    expect(matchesLabels(labels, parseLabelSelector(selector))).toBe(expected);
  });

  it('rejects what it cannot parse', () => {
    expect(() => parseLabelSelector('a b c')).toThrow(
      'unable to parse requirement: a b c',
    );
  });
});

describe('field selectors', () => {
  const event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'a' },
    involvedObject: { kind: 'Pod', name: 'p' },
    reason: 'FailedScheduling',
    source: { component: 'default-scheduler' },
  };
  const supported = [
    'metadata.name',
    'involvedObject.kind',
    'involvedObject.name',
    'reason',
    'source',
  ];

  it('matches supported fields, and a missing field as empty', () => {
    const match = (s: string) =>
      matchesFields(event, parseFieldSelector(s, supported));
    expect(match('involvedObject.name=p,reason=FailedScheduling')).toBe(true);
    expect(match('involvedObject.kind!=Pod')).toBe(false);
    expect(match('source=default-scheduler')).toBe(true);
    expect(match('metadata.name==e')).toBe(true);
  });

  it('rejects fields the real server does not support', () => {
    expect(() => parseFieldSelector('spec.x=1', supported)).toThrow(
      'field label not supported: spec.x',
    );
  });
});
