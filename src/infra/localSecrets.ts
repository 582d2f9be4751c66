import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateNodeKey } from '../bitcoin';

/**
 * The test-mode Lightning node key: LIGHTNING_NODE_KEY, else one generated on first start and kept in
 * DATA_DIR, so invoices keep the same payee across restarts.
 */
export function lightningNodeKey(dataDir: string, configured?: string): string {
  if (configured) return configured.toLowerCase();
  const file = path.join(dataDir, 'lightning-node.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const key = generateNodeKey().privateKey;
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/** An admin key for this run when ADMIN_API_KEY is unset. */
export function generatedAdminKey(): string {
  return `admin_${randomBytes(24).toString('base64url')}`;
}

/**
 * The node-local secret that derives live invoice preimages: LND_INVOICE_SECRET, else one generated on
 * first start and kept in DATA_DIR. Every worker of one deployment needs the same one (set the variable).
 */
export function lndInvoiceSecret(dataDir: string, configured?: string): string {
  if (configured) return configured.toLowerCase();
  const file = path.join(dataDir, 'lnd-invoice.secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/**
 * The dashboard's key for secrets at rest: DASHBOARD_SECRET_KEY, else one generated on first start and
 * kept in DATA_DIR. Every process of one deployment needs the same one (set the variable).
 */
export function dashboardSecretKey(dataDir: string, configured?: string): string {
  if (configured) return configured.toLowerCase();
  const file = path.join(dataDir, 'dashboard-secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}
