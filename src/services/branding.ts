import { createHash } from 'node:crypto';
import { saveBranding, type BrandingChange } from '../db/branding';
import { logoImageType, MAX_LOGO_BYTES } from '../domain/branding';
import { CheckoutError } from '../domain/errors';
import type { BrandingInput } from '../domain/input/branding';
import type { ServiceContext } from './context';

/**
 * Sets the hosted page's branding of an account: an https logo URL, or an uploaded image (PNG, JPEG,
 * GIF or WebP by its bytes, at most MAX_LOGO_BYTES), or no logo; and the accent colour (null: the page's
 * own). Refusals are 400s naming the field.
 */
export async function updateBranding(ctx: Pick<ServiceContext, 'db'>, accountId: string, input: BrandingInput, file?: Buffer): Promise<void> {
  let logo: BrandingChange['logo'] = input.remove_logo ? null : 'keep';
  if (file && file.length > 0) {
    if (input.logo_url) throw new CheckoutError('invalid_data', 'Give a logo URL or a file, not both.', 'logo_url');
    if (file.length > MAX_LOGO_BYTES) throw new CheckoutError('invalid_data', `The logo is larger than ${MAX_LOGO_BYTES / 1024} KB.`, 'logo_file');
    const type = logoImageType(file);
    if (!type) throw new CheckoutError('invalid_data', 'The logo must be a PNG, JPEG, GIF or WebP image.', 'logo_file');
    logo = { image: file, type, hash: createHash('sha256').update(file).digest('hex') };
  } else if (input.logo_url) {
    logo = { url: input.logo_url };
  }
  await saveBranding(ctx.db, accountId, { logo, accentColor: input.accent_color }, Date.now());
}
