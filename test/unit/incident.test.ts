import { severityLabel } from '../../lambdas/core/finding';
import {
  accountCapKey,
  CRITICAL_SEVERITY,
  canTransition,
  capWindowStart,
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
    expect(clusterCapKey('arn:cluster', 5)).toBe('CAP#CLUSTER#arn:cluster#5');
    expect(accountCapKey('111122223333', 5)).toBe('CAP#ACCOUNT#111122223333#5');
  });

  it('aligns the cap window to its width', () => {
    expect(new Date(capWindowStart(NOW, 60)).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(new Date(capWindowStart(NOW, 15)).toISOString()).toBe('2026-03-01T10:15:00.000Z');
  });

  it('sets the TTL in epoch seconds, retentionDays after now', () => {
    expect(incidentTtl(NOW, 365)).toBe(Math.floor(NOW / 1000) + 365 * 86_400);
  });

  it('names the Critical threshold the severity bands use', () => {
    expect(severityLabel(CRITICAL_SEVERITY)).toBe('CRITICAL');
    expect(severityLabel(CRITICAL_SEVERITY - 0.1)).toBe('HIGH');
  });
});
