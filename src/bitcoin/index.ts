/** Public surface of the Bitcoin library: Lightning invoices, on-chain addresses, Esplora. */
export type { LightningNode, CreateInvoiceRequest, CreatedInvoice, SettledInvoice } from './lightning';
export { LocalLightningNode, generateNodeKey, nodePublicKey, decodeAndVerifyInvoice, type NodeKey, type VerifiedInvoice } from './localLightningNode';
export { LndRestNode, type LndRestNodeOptions, type SubscribeOptions, type OnSettled } from './lndRestNode';
export {
  deriveReceiveAddress, extendedKeyMaterial, generateTestAccountKey, isValidAddress, parseExtendedPublicKey,
  type BitcoinNetwork, type TestAccountKey, type ParsedExtendedPublicKey,
} from './onchain';
export { EsploraClient, type AddressOutput, type EsploraClientOptions } from './esplora';
export { BitcoinRpcClient, type BitcoinRpcOptions } from './bitcoinRpc';
export { parseRawBlock, type ParsedBlock, type BlockOutput } from './rawBlock';
export { btcSignerNetwork, invoicePrefix, BITCOIN_NETWORKS } from './network';
export { pinnedFetch, type FetchLike } from './pinnedFetch';
export * from './errors';
