/** The HTML renderers escape every value that comes from a finding or the account. */
import { ReportBuilder } from '../../local/backtest/report';
import { renderBacktestHtml } from '../../local/report-html/backtest';
import { renderIncidentHtml } from '../../local/report-html/incident';
import { scriptJson } from '../../local/report-html/page';

const HOSTILE = '<img src=x onerror=alert(1)></script><script>alert(2)</script>"\'&';

test('the back-test page escapes titles, resources, labels, reasons and cap notices', () => {
  const builder = new ReportBuilder({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 2) }, 'contain');
  builder.add({
    source: 'aws.guardduty',
    id: 'f1',
    at: Date.UTC(2026, 10, 1, 10),
    incidentId: HOSTILE,
    title: HOSTILE,
    resource: HOSTILE,
    stopped: ['t'],
    isolated: 1,
    quarantined: 0,
    notified: 1,
    capped: HOSTILE,
    rejected: HOSTILE,
    failed: 0,
    paths: [{ stateMachine: 'RuntimeThreatResponse', status: 'SUCCEEDED', states: [HOSTILE, 'StopTask'] }],
    evidence: [HOSTILE],
    labels: [HOSTILE],
  });
  const page = renderBacktestHtml(builder.finish());
  const withoutLibrary = page.replace(/<script>\/\*![\s\S]*?<\/script>/, '');
  expect(withoutLibrary).not.toContain('<img');
  expect(withoutLibrary).not.toContain('<script>alert');
  expect(withoutLibrary).toContain('&lt;img src=x onerror=alert(1)&gt;');
  // Only the library, the chart script and the data element are scripts.
  expect(page.match(/<script\b/g)).toHaveLength(3);
});

test('embedded JSON cannot close its script element', () => {
  const json = scriptJson({ text: HOSTILE, sep: '\u2028' });
  expect(json).not.toMatch(/[<>&\u2028]/);
  expect(JSON.parse(json)).toEqual({ text: HOSTILE, sep: '\u2028' });
});

test('the incident page escapes the record and the timeline, and links only to the console', () => {
  const page = renderIncidentHtml({
    incidentId: 'abc',
    status: 'CONTAINED',
    view: { title: HOSTILE, actions: [HOSTILE], executionUrl: 'javascript:alert(1)' },
    timeline: [{ at: '2026-11-01T00:00:00Z', event: `step ${HOSTILE}` }],
    evidence: { bucket: 'b', region: 'us-east-1', keys: [`incidents/abc/${HOSTILE}`] },
    images: [],
  });
  expect(page).not.toContain('<img');
  expect(page).not.toMatch(/<script\b/);
  expect(page).not.toContain('javascript:');
  expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
});
