import type { DbOrTx } from './knex';

export const BRANDING = 'account_branding';

/** An account's branding of the hosted page, without the image bytes. */
export interface BrandingRow {
  account_id: string;
  logo_url: string | null;
  logo_type: string | null;
  logo_hash: string | null;
  accent_color: string | null;
}

const COLUMNS = ['account_id', 'logo_url', 'logo_type', 'logo_hash', 'accent_color'];

/** The account's branding, if it set any. */
export async function findBranding(db: DbOrTx, accountId: string): Promise<BrandingRow | undefined> {
  return db(BRANDING).select(COLUMNS).where({ account_id: accountId }).first();
}

/** What a branding change sets: a new logo (URL or image), no logo, or the logo as it was. */
export interface BrandingChange {
  logo: { url: string } | { image: Buffer; type: string; hash: string } | null | 'keep';
  accentColor: string | null;
}

/** Saves an account's branding (insert or update in one statement). */
export async function saveBranding(db: DbOrTx, accountId: string, change: BrandingChange, now: number): Promise<void> {
  const logo = change.logo === 'keep' ? {}
    : change.logo === null ? { logo_url: null, logo_image: null, logo_type: null, logo_hash: null }
      : 'url' in change.logo ? { logo_url: change.logo.url, logo_image: null, logo_type: null, logo_hash: null }
        : { logo_url: null, logo_image: change.logo.image, logo_type: change.logo.type, logo_hash: change.logo.hash };
  const row = { account_id: accountId, accent_color: change.accentColor, modified: now, ...logo };
  await db(BRANDING).insert(row).onConflict('account_id').merge();
}

/** An uploaded logo by its hash (public: the hash is its name), with its type. */
export async function findLogoImage(db: DbOrTx, hash: string): Promise<{ logo_image: Buffer; logo_type: string } | undefined> {
  return db(BRANDING).select('logo_image', 'logo_type').where({ logo_hash: hash }).whereNotNull('logo_image').first();
}
