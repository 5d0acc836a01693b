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
