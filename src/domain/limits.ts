import { Dec } from './money';

/** 21 million BTC in sats: no amount above it can be paid (and no invoice or address request carries it). */
export const MAX_SATS = new Dec('2100000000000000');
/** BOLT11 `d` field limit in bytes (639 five-bit words hold at most 639 bytes of UTF-8). */
export const MAX_MEMO_BYTES = 639;
