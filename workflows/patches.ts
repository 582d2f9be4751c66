/**
 * Every `patched()` ID of the checkout-session workflow, with why it exists. A patch is deprecated
 * (`deprecatePatch`) only when no open workflow can still be on its old path: a year (the longest TTL)
 * plus MONITORING_HOURS after the deploy that introduced it (docs/workflow-versioning.md).
 */
export const PATCHES = {} as const;
