import type { RequestHandler } from 'express';
import { findKeyOwner, hashKey } from '../../db/apiKeys';
import { isObjectId } from '../../domain/ids';
import { readSessionWithFunded } from '../../db/sessionRead';
import { readSessionViewForKey } from '../../db/sessionView';
import type { ServiceContext } from '../../services/context';
import { checkoutSessionView } from '../../views/checkoutSession';
import { servedSessionView } from '../../views/storedSessionView';
import { merchantKeyOf } from '../auth';
import { AuthenticationError, NotFoundError } from '../errors';
import { sendJsonText } from '../jsonText';
import { shownId } from '../inputRules';

/**
 * `GET /checkout-sessions/{id}`, the API's hottest read (a payment page or a shop polls it), mounted
 * ahead of the merchant router: the key check and the read are one prepared statement, so the request
 * costs one round trip and a revoked key is still refused at once. Same answers as the merchant
 * router's auth and route: 401 for a missing, unknown or revoked key, 404 outside the key's scope.
 * It changes nothing: no renewal, no workflow call.
 *
 * The statement reads the session's stored object (`view_json`, rendered by the transaction of its last
 * write: src/views/storedSessionView.ts) and sends it as it is. A session without one (written before
 * it existed, or by a write that did not render) is read from its row and rendered, as every read was
 * before: the same bytes either way.
 */
export function checkoutSessionReadRoute(ctx: ServiceContext): RequestHandler {
  return async (req, res) => {
    const id = req.params.id as string;
    // A malformed ID names nothing: the key is still checked (401 before 404), the session not looked up.
    if (!isObjectId('cs', id)) {
      if (!(await findKeyOwner(ctx.db, merchantKeyOf(req)))) throw new AuthenticationError();
      throw new NotFoundError('checkout session', shownId(id));
    }
    const found = await readSessionViewForKey(ctx.db, hashKey(merchantKeyOf(req)), id);
    if (!found) throw new AuthenticationError();
    req.scope = found.scope;
    if (!found.exists) throw new NotFoundError('checkout session', id);
    const stored = found.view === null ? undefined : servedSessionView(found.view, id, ctx.config.publicUrl);
    if (stored !== undefined) {
      sendJsonText(res, stored);
      return;
    }
    // A read never renews an expired payment (only the payment page, where a customer can pay, does):
    // it shows the session `active` with its expired payment's ID.
    const session = await readSessionWithFunded(ctx.db, id, found.scope);
    if (!session) throw new NotFoundError('checkout session', id);
    res.json(checkoutSessionView(session.row, session.funded, ctx.config.publicUrl));
  };
}
