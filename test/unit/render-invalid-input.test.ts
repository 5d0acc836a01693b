/** renderNotification for events shield-right cannot act on, and how failure causes are read. */
import { causeMessage, renderNotification } from '../../lambdas/core/render';
import { ACCOUNT, execution, expectPublishable, REGION } from '../helpers/notification';

// ---------------------------------------------------------------------------------------------------------
// Invalid input.

describe('renderNotification: invalid input', () => {
  const rendered = renderNotification({
    kind: 'invalid-input',
    failure: {
      state: 'Normalize',
      error: 'States.TaskFailed',
      cause: JSON.stringify({
        errorType: 'InvalidFindingError',
        errorMessage: 'detail.severity: expected a number between 0 and 10',
      }),
    },
    rawEventSummary: {
      source: 'aws.guardduty',
      detailType: 'GuardDuty Finding',
      id: 'b7e0c0de-1111-2222-3333-444455556666',
    },
    evidence: { bucket: 'shield-right-evidence-123456789012', key: 'invalid/b7e0c0de/raw-event.json' },
    execution,
    region: REGION,
    accountId: ACCOUNT,
  });

  it('is publishable and threads under the event', () => {
    expectPublishable(rendered);
    expect(rendered.chat.metadata.threadId).toBe('invalid-b7e0c0de-1111-2222-3333-444455556666');
  });

  it('names the wrong field, the error and that no action was taken', () => {
    const { title, description } = rendered.chat.content;
    expect(title).toContain('invalid input');
    expect(description).toContain('`detail.severity`');
    expect(description).toContain('`InvalidFindingError`');
    expect(description).toContain('expected a number between 0 and 10');
    expect(description).toContain('No action was taken.');
    expect(description).toContain('aws.guardduty');
  });

  it('says the raw event was kept as evidence and links it', () => {
    expect(rendered.chat.content.description).toContain('stored as evidence');
    expect(rendered.chat.content.description).toContain('invalid/b7e0c0de/raw-event.json');
    expect(rendered.chat.content.nextSteps.join('\n')).toContain(
      'https://s3.console.aws.amazon.com/s3/object/',
    );
  });

  it('has a plain subject and attributes with defaults', () => {
    expect(rendered.subject).toBe('[shield-right] invalid input: no action taken');
    expect(rendered.attributes.action?.StringValue).toBe('invalid-input');
    expect(rendered.attributes.severity?.StringValue).toBe('0');
    expect(rendered.attributes.account?.StringValue).toBe(ACCOUNT);
  });
});

describe('causeMessage', () => {
  it('reads the message out of a Lambda error cause', () => {
    expect(causeMessage('{"errorType":"X","errorMessage":"boom","trace":[]}')).toEqual({
      type: 'X',
      message: 'boom',
    });
  });

  it('keeps any other cause as it is', () => {
    expect(causeMessage('{not json')).toEqual({ message: '{not json' });
    expect(causeMessage('plain')).toEqual({ message: 'plain' });
  });
});
