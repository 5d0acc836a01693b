/** The push check's decision (core/image-push.ts), the ImagePushRule pattern and the bypass notification. */

import * as v from 'valibot';
import { imagePushPattern } from '../../definitions/patterns';
import {
  decideImagePush,
  type Hold,
  type ImagePush,
  ImagePushEventSchema,
  imagePushOf,
} from '../../lambdas/core/image-push';
import { renderBypassNotification } from '../../lambdas/core/render';
import { compilePattern } from '../../local/event-pattern';
import { loadExample } from '../../local/fixtures/events';
import { expectPublishable } from '../helpers/notification';

const INCIDENT = 'img-9f86d081884c7d65';
const DIGEST = `sha256:${'9f'.repeat(32)}`;
const QTAG = `quarantine-${INCIDENT.slice(0, 12)}-9f9f9f9f9f9f`;
const push: ImagePush = {
  eventId: '3b6f1c9e-2d4a-4e8b-9c7d-5a1f0e2b8c64',
  time: '2026-11-28T10:45:00Z',
  region: 'us-east-1',
  registryId: '111122223333',
  repository: 'payments-api',
  digest: DIGEST,
  tag: 'v1.4.1',
};
const hold = (overrides: Partial<Hold> = {}): Hold => ({
  incidentId: INCIDENT,
  status: 'QUARANTINED',
  releaseStarted: false,
  record: { originalTags: ['v1.4.1'], quarantineTag: QTAG },
  archived: true,
  movedFrom: ['v1.4.1'],
  ...overrides,
});

describe('decideImagePush', () => {
  it('archive mode: an image the incident archived that is ACTIVE again is a bypass, quarantined again the same way', () => {
    const verdict = decideImagePush(push, hold(), { status: 'ACTIVE', tags: ['v1.4.1'] }, 'archive');
    expect(verdict).toEqual({
      bypass: true,
      reason: 'the image the incident archived is ACTIVE again',
      request: {
        incidentId: INCIDENT,
        strategy: 'archive',
        quarantineTag: `quarantine-${INCIDENT.slice(0, 12)}`,
        targets: [
          {
            containerName: 'payments-api',
            registryId: '111122223333',
            region: 'us-east-1',
            repository: 'payments-api',
            digest: DIGEST,
          },
        ],
      },
    });
  });

  it('archive mode: still ARCHIVED (the push of a quarantine tag, say) is no bypass', () => {
    expect(decideImagePush(push, hold(), { status: 'ARCHIVED', tags: [QTAG] }, 'archive')).toEqual({
      bypass: false,
      reason: 'the image is still held',
    });
  });

  it('archive mode: an archive the quarantine could not make is not read as lifted', () => {
    expect(
      decideImagePush(push, hold({ archived: false }), { status: 'ACTIVE', tags: ['v1.4.1'] }, 'archive')
        .bypass,
    ).toBe(false);
  });

  it('retag mode: a tag other than the quarantine tags is a bypass; tags the quarantine could not remove are not', () => {
    const retagged = decideImagePush(
      push,
      hold({ archived: false }),
      { status: 'ACTIVE', tags: [QTAG, 'v1.4.1'] },
      'retag',
    );
    expect(retagged).toMatchObject({ bypass: true, reason: 'the held image carries tag(s) v1.4.1 again' });
    const kept = hold({ archived: false, movedFrom: [] });
    expect(decideImagePush(push, kept, { status: 'ACTIVE', tags: [QTAG, 'v1.4.1'] }, 'retag').bypass).toBe(
      false,
    );
    expect(decideImagePush(push, hold(), { status: 'ACTIVE', tags: [QTAG] }, 'retag').bypass).toBe(false);
  });

  it.each([
    ['RELEASED', false, 'is RELEASED: no hold'],
    ['IN_PROGRESS', false, 'is IN_PROGRESS: no hold'],
    ['QUARANTINED', true, 'is being released: the hold is lifted'],
  ])('an incident %s (release started: %s) holds nothing: %s', (status, releaseStarted, reason) => {
    const verdict = decideImagePush(
      push,
      hold({ status, releaseStarted }),
      { status: 'ACTIVE', tags: ['x'] },
      'both',
    );
    expect(verdict).toEqual({ bypass: false, reason: expect.stringContaining(reason) });
  });

  it('no quarantine record for the digest, no image, or imageQuarantine none: no bypass', () => {
    const { record: _, ...noRecord } = hold();
    expect(decideImagePush(push, noRecord, { status: 'ACTIVE', tags: [] }, 'both').bypass).toBe(false);
    expect(decideImagePush(push, hold(), undefined, 'both').bypass).toBe(false);
    expect(decideImagePush(push, hold(), { status: 'ACTIVE', tags: ['v1.4.1'] }, 'none').bypass).toBe(false);
  });
});

describe('ImagePushRule pattern', () => {
  const matches = compilePattern(imagePushPattern());
  const sample = loadExample('08-ecr-push-of-quarantined-image.json');

  it('matches the ECR user guide sample push event (examples/events/08), which the check step accepts', () => {
    expect(matches(sample)).toBe(true);
    const event = v.parse(ImagePushEventSchema, sample);
    expect(imagePushOf(event)).toEqual({ ...push, digest: event.detail['image-digest'] });
  });

  it('does not match an image deletion (action-type DELETE) or a failed push', () => {
    const detail = sample.detail as Record<string, unknown>;
    expect(matches({ ...sample, detail: { ...detail, 'action-type': 'DELETE' } })).toBe(false);
    expect(matches({ ...sample, detail: { ...detail, result: 'FAILURE' } })).toBe(false);
  });
});

describe('renderBypassNotification', () => {
  const hostile = 'evil<!channel>\u202e<https://x.example|click>';
  const rendered = renderBypassNotification({
    incidentId: INCIDENT,
    incident: { findingType: 'Inspector:PackageVulnerability', severityLabel: 'CRITICAL' },
    push: { ...push, repository: `team/${hostile}`, tag: hostile },
    reason: `the held image carries tag(s) ${hostile} again`,
    requarantine: { status: 'done', detail: `archived; tag ${hostile} → ${QTAG}` },
  });

  it('names the incident, repository, digest and tag, and says where to find the pusher and how to prevent it', () => {
    expectPublishable(rendered);
    expect(rendered.email).toContain(`incident ${INCIDENT}`);
    expect(rendered.email).toContain(DIGEST);
    expect(rendered.email).toContain('CloudTrail event PutImage');
    expect(rendered.email).toContain('Restrict ecr:PutImage');
    expect(rendered.email).toContain(`shield-right release ${INCIDENT}`);
    expect(rendered.chat.metadata).toMatchObject({
      threadId: INCIDENT,
      eventType: 'possible-quarantine-bypass',
    });
    expect(rendered.attributes.action?.StringValue).toBe('possible-quarantine-bypass');
    expect(rendered.attributes.severityLabel?.StringValue).toBe('CRITICAL');
  });

  it('escapes the pushed repository and tag: no live Slack markup, no bidi control', () => {
    const chat = JSON.stringify(rendered.chat);
    expect(chat).not.toContain('<!channel>');
    expect(chat).not.toContain('<https://');
    expect(rendered.email).not.toContain('\u202e');
    expect(rendered.subject).toMatch(/^[\x20-\x7E]{1,99}$/);
  });
});
