/**
 * Every `patched()` ID of the checkout-session workflow since the 1.0 baseline, with why it exists
 * (docs/workflow-versioning.md). The five patches before 1.0 (receipt facts from the database, waking
 * the loop on an update, lazy renewal, creation in one step, local activities) and the idle close are
 * folded into the 1.0 code: no installation runs an older version. A patch is retired (`deprecatePatch`,
 * then removed) when no run started before the rollout that added it is still Running.
 */
export const PATCHES = {
  /**
   * A run started by a receipt (signal-with-start whose input names it) loads the session and that
   * receipt's facts in one local activity (`loadSessionWithReceipt`) instead of `loadSessionState` then
   * `receiptFacts`. Runs started without the marker (older workers) keep the two markers on replay.
   * Rollout: not yet finished.
   */
  resumeWithReceipt: 'resume-with-receipt',
} as const;
