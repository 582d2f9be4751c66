import { z } from 'zod';
import { ACCENT_PATTERN } from '../branding';

/** A change of the hosted page's branding as a form or a JSON body gives it; blank fields are absent. */
export const brandingSchema = z.object({
  logo_url: z.string().trim().max(2000).url('must be a URL').refine((u) => u.startsWith('https://'), 'must be an https URL').optional(),
  remove_logo: z.boolean().default(false),
  accent_color: z.string().trim().toLowerCase().regex(ACCENT_PATTERN, 'must be a colour like #1f6feb').nullable(),
}).strict();

export type BrandingInput = z.infer<typeof brandingSchema>;
