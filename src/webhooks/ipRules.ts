/**
 * Literal IP classification for webhook delivery: the one outbound rule (src/net/addressRules.ts),
 * shared with payouts' LNURL / Lightning Address lookups.
 */
export { blockedIpReason, type BlockedReason } from '../net/addressRules';
