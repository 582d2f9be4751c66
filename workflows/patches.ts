/**
 * Every `patched()` ID of the checkout-session workflow, with why it exists. A patch is deprecated
 * (`deprecatePatch`) only when no open workflow can still be on its old path: a year (the longest TTL)
 * plus MONITORING_HOURS after the deploy that introduced it (docs/workflow-versioning.md).
 */
export const PATCHES = {
  /**
   * A receipt signal names a stored receipt; the workflow reads its amount, reference and payment terms
   * from the database, scoped to the session (security H2). Old histories applied the signal's payload.
   */
  receiptFactsFromDb: 'receipt-facts-from-db',
  /**
   * After `deactivate` or `chooseAmount`, the main loop recomputes its deadline at once: a deactivated
   * session's monitoring window starts then (before, it waited for the old TTL timer, up to a year), and a
   * chosen amount's payment renews at its TTL.
   */
  wakeLoopOnUpdate: 'wake-loop-on-update',
  /**
   * An expired payment is renewed only when someone asks (`renew`, sent by the page and API reads), not at
   * every TTL: an abandoned session costs no invoices, addresses, events or history (issue 10 item 5).
   */
  lazyRenewal: 'lazy-renewal',
  /**
   * A new session is persisted, gets its first payment and is mirrored by one activity (`createSession`)
   * instead of three in sequence (issue 13 item 1).
   */
  createInOneStep: 'create-in-one-step',
  /**
   * The session's activities run as local activities: no round trip through the server per activity, so
   * a receipt is credited and its transfers posted within the workflow task of its signal (issue 13).
   */
  localActivities: 'local-activities',
  /**
   * An active session with nothing due (no open payment, no failed work, no message) closes its run
   * after `idleMs`; before, it waited with no timer at all. A later receipt, renewal, amount choice or
   * deactivation starts it again from the read model (`resume`).
   */
  idleClose: 'idle-close',
} as const;
