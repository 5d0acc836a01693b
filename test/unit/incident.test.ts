import { severityLabel } from '../../lambdas/core/finding';
import {
  accountCapKey,
  CRITICAL_SEVERITY,
  canTransition,
  capNoticeKey,
  capWindow,
  clusterCapKey,
  INCIDENT_STATUSES,
  imageClaimKey,
  incidentKey,
  incidentTtl,
  isIncidentStatus,
  taskClaimKey,
} from '../../lambdas/core/incident';

describe('incident statuses', () => {
  it('knows the statuses the workflows and the CLI use, and nothing else', () => {
    expect(isIncidentStatus('CONTAINED')).toBe(true);
    expect(isIncidentStatus('contained')).toBe(false);
    expect(isIncidentStatus(undefined)).toBe(false);
    expect(new Set(INCIDENT_STATUSES).size).toBe(INCIDENT_STATUSES.length);
  });

  it.each([
    [undefined, 'IN_PROGRESS', true],
    [undefined, 'CONTAINED', false],
    ['IN_PROGRESS', 'CONTAINED', true],
    ['IN_PROGRESS', 'RELEASED', false],
    ['CONTAINED', 'RELEASED', true],
    // A CLOSED Inspector finding is not a fix: nothing moves an incident to RESOLVED any more.
    ['QUARANTINED', 'RESOLVED', false],
    ['IN_PROGRESS', 'RESOLVED', false],
    ['QUARANTINED', 'QUARANTINED', true],
    ['RESOLVED', 'RELEASED', true],
    ['RELEASED', 'CONTAINED', false],
    ['FAILED', 'IN_PROGRESS', true],
    ['CAP_REACHED', 'IN_PROGRESS', true],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });
});

describe('incident table keys', () => {
  const NOW = Date.parse('2026-03-01T10:17:42.123Z');

  it('builds the incident, claim and cap keys the state machines read', () => {
    expect(incidentKey('abc')).toBe('INCIDENT#abc');
    expect(taskClaimKey('arn:task', true)).toBe('CLAIM#TASK#arn:task#stop');
    expect(taskClaimKey('arn:task', false)).toBe('CLAIM#TASK#arn:task#isolate');
    expect(imageClaimKey('sha256:00')).toBe('CLAIM#IMAGE#sha256:00');
    expect(clusterCapKey('arn:cluster', 'high')).toBe('CAP#CLUSTER#arn:cluster#high');
    expect(accountCapKey('111122223333', 'critical')).toBe('CAP#ACCOUNT#111122223333#critical');
    expect(capNoticeKey('arn:cluster', 'critical')).toBe('CAPNOTICE#arn:cluster#critical');
  });

  it('slides the cap window with the action: it ends at the action, not at a clock boundary', () => {
    const at = Math.floor(NOW / 1000);
    expect(capWindow(NOW, 60)).toEqual({ at, since: at - 3600 });
    expect(capWindow(NOW + 60_000, 15)).toEqual({ at: at + 60, since: at + 60 - 900 });
  });

  it('sets the TTL in epoch seconds, retentionDays after now', () => {
    expect(incidentTtl(NOW, 365)).toBe(Math.floor(NOW / 1000) + 365 * 86_400);
  });

  it('names the Critical threshold the severity bands use', () => {
    expect(severityLabel(CRITICAL_SEVERITY)).toBe('CRITICAL');
    expect(severityLabel(CRITICAL_SEVERITY - 0.1)).toBe('HIGH');
  });
});
