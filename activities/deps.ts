import type { Logger } from 'pino';
import type { LightningNode } from '../src/bitcoin';
import type { LndSender } from '../src/bitcoin/lndSender';
import type { BitcoinNetwork } from '../src/bitcoin';
import type { LightningSender } from '../src/bitcoin/simulatedSender';
import type { Db } from '../src/db/knex';
import type { ModeRates } from '../src/rates';

/** What activities need from the outside world, built once at worker start and injected. */
export interface ActivityDeps {
  db: Db;
  log: Logger;
  /** Price source per mode: the static table in test mode, a real provider in live mode. */
  rates: ModeRates;
  /** Lightning node per mode; live is absent unless an LND node is configured. */
  lightning: { test: LightningNode; live?: LightningNode };
  /** What sends Lightning payments out (withdrawal links, refunds) per mode; live needs LND's sending macaroon. */
  lightningSenders?: { test: LightningSender; live?: LightningSender };
  /** Bitcoin network of addresses and invoices per mode. */
  networks: { test: BitcoinNetwork; live: BitcoinNetwork };
  /** The live node's sending side (payouts); absent unless LND_PAYOUT_MACAROON_* is configured. */
  payoutSender?: LndSender;
  /** Confirmation target of on-chain payouts' fee rate. */
  payoutOnchainTargetConf?: number;
  /** Tests only: the folder of the crash point between send and settle (activities/sendPause.ts). */
  pauseAfterSendDir?: string;
  publicUrl: string;
  platformFeePercent: string;
  /** The operator allows webhooks to private, loopback and link-local addresses (local development only). */
  webhookAllowPrivateNetworks?: boolean;
}
