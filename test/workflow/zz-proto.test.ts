import { Simulator } from '../../local/engine';
import { inspectorEvent } from '../helpers/events';
import { mutatingCalls } from '../../local/report';

it('proto', async () => {
  const sim = new Simulator({ clock: () => Date.UTC(2026, 10, 28, 10, 20) });
  const ev = inspectorEvent();
  const r = await sim.processEvent(ev, 'crit');
  console.log(JSON.stringify({ m: r.matchedRules, ex: r.executions.map(e => ({ s: e.status, st: e.states, err: e.error, c: e.cause })), calls: r.apiCalls.map(c => `${c.state}:${c.service}:${c.operation}:${c.error}:${c.startSeq}-${c.endSeq}`), mut: mutatingCalls(r.apiCalls).map(c=>c.operation) }, null, 1));
  console.log(r.notifications[0]?.subject, JSON.parse(r.notifications[0]?.message ?? '{}').email);
  console.log(r.notifications[0]?.attributes);
});
