import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { Db } from '../db/knex';
import type { LndSender } from '../bitcoin/lndSender';
import type { ModeRates } from '../rates';
import type { Keyring } from '../infra/secretBox';

/** What services need: the database, Temporal, config and a logger. Built once, passed everywhere. */
export interface ServiceContext {
  db: Db;
  temporal: Client;
  config: AppConfig;
  log: Logger;
  /** Live-mode Lightning is available only with an LND node configured. */
  liveLightning: boolean;
  /** Price sources per mode, checked at create so a currency that cannot be priced is refused there. */
  rates?: ModeRates;
  /** The live node's sending side (payouts), when LND_PAYOUT_MACAROON_* is configured. */
  payoutSender?: LndSender;
  /** The dashboard's keys for secrets at rest (TOTP keys); the running system always has them. */
  secretKeys?: Keyring;
  /** True when this process exports spans (OTEL_* or a test's tracer): HTTP server spans are made only then. */
  traced?: boolean;
}
