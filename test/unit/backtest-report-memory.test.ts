/**
 * The back-test report holds what it shows, not copies per finding (issue 17: bounded memory): thousands of
 * incidents that took the same paths through the workflows share those paths.
 */
import type { FindingOutcome } from '../../local/backtest/replay';
import { ReportBuilder } from '../../local/backtest/report';

const STOPPED = ['ValidateFinding', 'EnrichFinding', 'MeasureBlastRadius', 'StopTask', 'Notify'];
const OBSERVED = ['ValidateFinding', 'EnrichFinding', 'Notify'];

function outcome(i: number): FindingOutcome {
  const states = i % 2 === 0 ? STOPPED : OBSERVED;
  return {
    source: 'aws.guardduty',
    id: `f${i}`,
    at: Date.UTC(2026, 10, 1) + i * 60_000,
    incidentId: `incident-${i}`,
    title: 'Execution:Runtime/NewBinaryExecuted (severity 8)',
    resource: `prod/${i}`,
    stopped: i % 2 === 0 ? [`task-${i}`] : [],
    isolated: 0,
    quarantined: 0,
    notified: 1,
    failed: 0,
    // A fresh array per finding, as the replay builds it from each execution.
    paths: [{ stateMachine: 'RuntimeThreatResponse', status: 'SUCCEEDED', states: [...states] }],
    evidence: [],
    labels: [],
  };
}

test('2,000 incidents over two distinct paths keep two path objects, shared by reference', () => {
  const builder = new ReportBuilder({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 3) }, 'contain');
  for (let i = 0; i < 2_000; i++) builder.add(outcome(i));
  const report = builder.finish();

  expect(report.incidents).toHaveLength(2_000);
  expect(builder.distinctPaths).toBe(2);
  const distinct = new Set(report.incidents.flatMap((incident) => incident.paths));
  expect(distinct.size).toBe(2);
  expect(report.incidents[0]?.paths[0]?.states).toEqual(STOPPED);
  expect(report.incidents[1]?.paths[0]?.states).toEqual(OBSERVED);
  expect(report.totals.stopped).toBe(1_000);
});

test('a repeat on the same incident adds a path once', () => {
  const builder = new ReportBuilder({ from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 3) }, 'contain');
  builder.add(outcome(0));
  builder.add({ ...outcome(2), incidentId: 'incident-0' });
  builder.add({ ...outcome(1), incidentId: 'incident-0' });
  const [incident] = builder.finish().incidents;
  expect(incident?.findings).toBe(3);
  expect(incident?.paths.map((p) => p.states)).toEqual([STOPPED, OBSERVED]);
});
