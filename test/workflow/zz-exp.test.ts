import { Simulator } from '../../local/engine';
import { runtimeEvent } from '../../test/helpers/events';
it('x', async () => {
  const sim = new Simulator();
  const t0 = Date.now();
  const r = await sim.processEvent(runtimeEvent({ taskId: 'a'.repeat(32), severity: 8 }));
  console.log(Date.now() - t0, JSON.stringify(r.executions.map(e => [e.status, e.states])), r.apiCalls.map(c => `${c.state}:${c.service}:${c.operation}:${c.error}`).join('\n'));
  console.log(r.notifications.map(n => [n.subject, n.attributes]));
  const t1 = Date.now();
  for (let i = 0; i < 20; i++) await sim.processEvent(runtimeEvent({ taskId: i.toString(16).padStart(32,'b'), severity: 8 }));
  console.log('20 events', Date.now() - t1);
});
