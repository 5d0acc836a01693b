import { renderTrustNotification } from '../../lambdas/core/render';

const HOSTILE = 'evil.example/app:<!channel> <@U1> *bold* <https://evil.example|click>\nSubject: injected';

const input = {
  incidentId: 'trust-0123',
  taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef',
  clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/prod',
  mode: 'enforce',
  failed: [
    {
      container: 'app<!here>',
      image: HOSTILE,
      digest: '',
      outcome: 'unsigned',
      reason: 'no signature <!everyone>',
    },
  ],
  reasons: ['enforce: an image of the task is not trusted'],
  wouldHaveDone: [],
  response: { stopped: true, tagged: true },
};

describe('image-not-trusted notification', () => {
  it('escapes the image, container and reason the task definition controls (chat mentions and links; no line injection)', () => {
    const rendered = renderTrustNotification(input);
    const chat = JSON.stringify(rendered.chat);
    for (const mention of ['<!channel>', '<!here>', '<!everyone>', '<@U1>', '<https://evil.example|click>']) {
      expect(chat).not.toContain(mention);
    }
    expect(rendered.email).not.toMatch(/\nSubject: injected/);
    expect(rendered.subject).not.toContain('\n');
  });

  it('says which container, which image, what failed, what was done and how to sign', () => {
    const rendered = renderTrustNotification({
      ...input,
      failed: [
        {
          container: 'web',
          image: 'r/api:1',
          digest: 'sha256:ab',
          outcome: 'revoked',
          reason: 'job revoked',
        },
      ],
    });
    expect(rendered.email).toContain('Container web: image r/api:1 (sha256:ab) is revoked: job revoked');
    expect(rendered.email).toContain('task stopped, service tagged');
    expect(rendered.email).toContain('sign it again');
    expect(rendered.chat.metadata.eventType).toBe('image-not-trusted');
  });
});

describe('image trust notifications: quarantine, limit notice, allowed unsigned', () => {
  it('reports the quarantine and the sparing reasons escaped (a repository name is attacker-chosen)', () => {
    const rendered = renderTrustNotification({
      ...input,
      quarantine: {
        status: 'done',
        images: [
          {
            repository: 'api<!channel>',
            digest: 'sha256:ab',
            status: 'done',
            archived: true,
            movedTags: [{ from: 'v1', to: 'quarantine-trust-01' }],
          },
        ],
        spared: [{ repository: 'web', digest: 'sha256:cd', reason: 'service <@U1> runs it too\nSubject: x' }],
      },
    });
    const chat = JSON.stringify(rendered.chat);
    expect(chat).not.toContain('<!channel>');
    expect(chat).not.toContain('<@U1>');
    expect(rendered.email).toContain('Quarantined api<!channel>@sha256:ab (done: tags v1 moved, archived)');
    expect(rendered.email).toContain('Not quarantined web@sha256:cd');
    expect(rendered.email).not.toMatch(/\nSubject: x/);
  });

  it('summarises the starts held back by the budget with their count', () => {
    const rendered = renderTrustNotification({
      ...input,
      response: { stopped: false, tagged: false, held: true },
      capNotice: { due: true, heldBack: 7, previousNotice: '2026-06-01T00:00:00.000Z' },
    });
    expect(rendered.email).toContain('Held back: 7 task starts with an untrusted image in this cluster');
    expect(rendered.attributes.action?.StringValue).toBe('limit-reached');
  });

  it('renders an allowed-unsigned image as its own kind, escaped', () => {
    const rendered = renderTrustNotification({
      ...input,
      failed: [],
      allowed: [
        { container: 'app', image: HOSTILE, digest: 'sha256:ab', outcome: 'unsigned', reason: 'none' },
      ],
      response: { stopped: false, tagged: false },
    });
    expect(rendered.chat.metadata.eventType).toBe('image-allowed-unsigned');
    expect(rendered.subject).toContain('image allowed unsigned');
    expect(JSON.stringify(rendered.chat)).not.toContain('<!channel>');
    expect(rendered.email).toContain('signing.allowUnsignedRepositories');
  });
});
