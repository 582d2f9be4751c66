/** Table names, in one place. */
export const T = {
  accounts: 'accounts',
  apiKeys: 'api_keys',
  idempotency: 'idempotency_keys',
  sessions: 'checkout_sessions',
  payments: 'payments',
  receipts: 'receipts',
  events: 'events',
  ledgerTransactions: 'ledger_transactions',
  ledgerEntries: 'ledger_entries',
  accountBalances: 'account_balances',
  transfers: 'transfers',
  webhookEndpoints: 'webhook_endpoints',
  webhookDeliveries: 'webhook_deliveries',
  accountXpubs: 'account_xpubs',
  onchainAddresses: 'onchain_addresses',
  receiptConflicts: 'receipt_conflicts',
} as const;
