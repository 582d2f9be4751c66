import { ApplicationFailure } from '@temporalio/activity';
import { recordEvent } from '../src/db/events';
import { insertSession } from '../src/db/sessions';
import type { SessionDefinition } from '../src/domain/definition';
import type { EventIntent, SessionState } from '../src/domain/session';
import type { ActivityDeps } from './deps';
import { eventObject, writeStateAndEvents } from './readModel';
import { readSessionState } from '../src/db/sessionState';
import { storeRenderedSessionView } from '../src/views/storedSessionView';

/** Activities that persist a session's definition and mirror its state. */
export function sessionActivities(deps: ActivityDeps) {
  const { db, publicUrl } = deps;

  /** Inserts the session row and its `checkout_session.created` event (idempotent). */
  async function persistNewSession(definition: SessionDefinition): Promise<void> {
    await db.transaction(async (tx) => {
      const inserted = await insertSession(tx, definition);
      if (inserted) await storeRenderedSessionView(tx, inserted, []);
      await recordEvent(tx, {
        dedupeKey: `${definition.id}:created`, accountId: definition.accountId, livemode: definition.livemode,
        type: 'checkout_session.created', objectId: definition.id,
        data: { object: await eventObject(tx, 'checkout_session.created', definition.id, publicUrl) }, created: definition.created,
      });
    });
  }

  /** Mirrors the workflow state into the read model and records the transition's events. */
  async function recordSession(input: { state: SessionState; events: EventIntent[] }): Promise<void> {
    await db.transaction((tx) => writeStateAndEvents(tx, input.state, input.events, publicUrl, Date.now()));
  }

  /** Rebuilds a session's workflow state from the read model (a receipt woke a closed session). */
  async function loadSessionState(sessionId: string): Promise<SessionState> {
    const state = await readSessionState(db, sessionId);
    if (!state) throw ApplicationFailure.nonRetryable(`No checkout session ${sessionId}`, 'SessionNotFound');
    return state;
  }

  return { persistNewSession, recordSession, loadSessionState };
}
