import { createDb } from '../src/db/knex';

/** What the parent sends: first the database and interval, then one message per awaited session. */
export type PollerRequest =
  | { type: 'start'; connection: string; intervalMs: number }
  | { type: 'paid'; sessionId: string }
  | { type: 'transfers'; sessionId: string; count: number }
  | { type: 'stop' };

/** What it answers: ready once connected, then each awaited fact with when the poll saw it (epoch ms, sub-ms precision). */
export type PollerReply = { type: 'ready' } | { type: 'seen'; kind: 'paid' | 'transfers'; sessionId: string; atEpochMs: number };

/**
 * The read-model poll of `readModelPoller.ts`, run as its own process so that its 1 / interval queries a
 * second neither share the event loop of the API and worker it measures nor count in their CPU.
 */
function serve(start: Extract<PollerRequest, { type: 'start' }>): void {
  const db = createDb(start.connection, { min: 1, max: 1 });
  let paid: string[] = [];
  let transfers: { sessionId: string; count: number }[] = [];
  let stopped = false;

  const report = (kind: 'paid' | 'transfers', sessionId: string, atEpochMs: number) =>
    process.send!({ type: 'seen', kind, sessionId, atEpochMs } satisfies PollerReply);

  const pollOnce = async () => {
    if (paid.length === 0 && transfers.length === 0) return;
    // One round trip for both questions: the poll itself should load the system as little as possible.
    const { rows } = await db.raw<{ rows: { id: string; what: string; n: string }[] }>(`
      select id, 'paid' as what, 0 as n from checkout_sessions where id = any(?::text[]) and status = 'paid'
      union all
      select checkout_session_id, 'transfers', count(*) from transfers
        where checkout_session_id = any(?::text[]) and status = 'paid' group by checkout_session_id`,
    [paid, transfers.map((w) => w.sessionId)]);
    const at = performance.timeOrigin + performance.now();
    const paidNow = new Set(rows.filter((r) => r.what === 'paid').map((r) => r.id));
    const counts = new Map(rows.filter((r) => r.what === 'transfers').map((r) => [r.id, Number(r.n)]));
    paid = paid.filter((id) => (paidNow.has(id) ? (report('paid', id, at), false) : true));
    transfers = transfers.filter((w) => ((counts.get(w.sessionId) ?? 0) >= w.count ? (report('transfers', w.sessionId, at), false) : true));
  };

  const loop = async () => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, start.intervalMs));
      // A failed poll only delays the answer; the next interval asks again.
      await pollOnce().catch((err) => console.error('read-model poll failed:', err));
    }
    await db.destroy();
    process.exit(0);
  };

  process.on('message', (m: PollerRequest) => {
    if (m.type === 'paid') paid.push(m.sessionId);
    else if (m.type === 'transfers') transfers.push({ sessionId: m.sessionId, count: m.count });
    else if (m.type === 'stop') stopped = true;
  });
  db.raw('select 1').then(() => {
    process.send!({ type: 'ready' } satisfies PollerReply);
    void loop();
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}

process.once('message', (m: PollerRequest) => {
  if (m.type === 'start') serve(m);
});
