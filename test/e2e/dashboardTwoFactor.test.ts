import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { resealTotpSecrets } from '../../src/dashboard/db/totpSealing';
import { useTestSystem } from '../support/useTestSystem';
import { seriousViolations } from './support/axe';
import { newCustomer, screenshot, useBrowser } from './support/browser';
import { merchantWithUser, PASSWORD, signIn } from './support/dashboard';

const sys = useTestSystem();
const browser = useBrowser();

/** What an authenticator app computes: the code of a 30-second step. */
const codeAt = (secret: string, step: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: step * 30_000 });
const stepNow = () => Math.floor(Date.now() / 30_000);

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

test('a user turns on two-factor with the QR\'s key and a code; sign-in then asks for a code (never the same one twice), takes a recovery code once, and stops asking once it is turned off', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'owner', 'Two-factor shop');
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, m.email);

  // Enrol: the page shows a QR code and its key; the code an app computes from it turns two-factor on.
  await page.goto(`${sys.baseUrl}/dashboard/account`);
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'dashboard-two-factor-enrol-desktop');
  await page.getByLabel('Code from the app').fill('000000' === codeAt(secret, stepNow()) ? '111111' : '000000');
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await page.getByTestId('two-factor-error').waitFor();
  const enrolStep = stepNow();
  const enrolCode = codeAt(secret, enrolStep);
  await page.getByLabel('Code from the app').fill(enrolCode);
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  const recovery = (await page.getByTestId('recovery-codes').locator('li').allTextContents());
  expect(recovery).toHaveLength(10);
  expect(await page.getByTestId('two-factor-status').textContent()).toMatch(/^On since .*10 recovery codes left/);

  // At rest the key is sealed (AES-256-GCM under the configured key's id), never the key itself.
  const stored = async () => (await sys.db('dashboard_users').where({ email: m.email }).first('id', 'totp_secret')) as { id: string; totp_secret: string };
  const sealed = await stored();
  expect(sealed.totp_secret).not.toContain(secret);
  expect(sealed.totp_secret.startsWith(`v1.${sys.ctx.secretKeys!.current.id}.`)).toBe(true);
  // A key stored plain (as migration 105 did) is sealed by the start-up step; sign-in below still takes its codes.
  await sys.db('dashboard_users').where({ id: sealed.id }).update({ totp_secret: secret });
  expect(await resealTotpSecrets(sys.db, sys.ctx.secretKeys!)).toBeGreaterThanOrEqual(1);
  expect((await stored()).totp_secret).toMatch(/^v1\./);
  expect((await stored()).totp_secret).not.toContain(secret);

  // Signing in now takes the password and then a code.
  await page.locator('summary').filter({ hasText: m.email }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/\/sign-in$/);
  await signIn(page, sys.baseUrl, m.email);
  expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in/two-factor');
  expect(await seriousViolations(page)).toEqual([]);
  await screenshot(page, 'dashboard-two-factor-code-desktop');
  // The password alone opened nothing.
  expect(new URL((await page.goto(`${sys.baseUrl}/dashboard/settings`))!.url()).pathname).toBe('/dashboard/sign-in');
  await page.goto(`${sys.baseUrl}/dashboard/sign-in/two-factor`);
  // The code that confirmed the enrolment was used: it is refused (no replay), whatever the clock says now.
  await enterCode(page, enrolCode);
  expect(await page.getByTestId('sign-in-error').textContent()).toMatch(/not right/);
  // A code of a later step than the last one used (the app's current code, or the next one while the step has not moved).
  await enterCode(page, codeAt(secret, Math.max(enrolStep + 1, stepNow())));
  await page.waitForURL((url) => url.pathname === '/dashboard');
  await context.close();

  // A recovery code signs in once.
  const other = await newCustomer(browser, 'phone');
  await signIn(other.page, sys.baseUrl, m.email);
  await enterCode(other.page, recovery[3].toUpperCase());
  await other.page.waitForURL((url) => url.pathname === '/dashboard');
  await other.context.close();
  const third = await newCustomer(browser, 'phone');
  await signIn(third.page, sys.baseUrl, m.email);
  await enterCode(third.page, recovery[3]);
  expect(await third.page.getByTestId('sign-in-error').textContent()).toMatch(/not right/);
  await enterCode(third.page, recovery[4]);
  await third.page.waitForURL((url) => url.pathname === '/dashboard');

  // Turning it off needs the password; then sign-in asks for no code.
  await third.page.goto(`${sys.baseUrl}/dashboard/account`);
  expect(await third.page.getByTestId('two-factor-status').textContent()).toMatch(/8 recovery codes left/);
  await third.page.getByLabel('Password (to turn two-factor off)').fill('not my password at all');
  await third.page.getByRole('button', { name: 'Turn off two-factor' }).click();
  expect(await third.page.getByTestId('two-factor-error').textContent()).toMatch(/password is wrong/);
  await third.page.getByLabel('Password (to turn two-factor off)').fill(PASSWORD);
  await third.page.getByRole('button', { name: 'Turn off two-factor' }).click();
  await third.page.getByRole('button', { name: 'Set up two-factor' }).waitFor();
  await third.context.close();
  const last = await newCustomer(browser, 'desktop');
  await signIn(last.page, sys.baseUrl, m.email);
  expect(new URL(last.page.url()).pathname).toBe('/dashboard');
  await last.context.close();
}, 180_000);

test('wrong codes count towards the sign-in lockout: five lock it, and the right code is refused while locked', async () => {
  const m = await merchantWithUser(sys.baseUrl, 'viewer', 'Lockout shop');
  const { context, page } = await newCustomer(browser, 'desktop');
  await signIn(page, sys.baseUrl, m.email);
  await page.goto(`${sys.baseUrl}/dashboard/account`);
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())!;
  const enrolStep = stepNow();
  await page.getByLabel('Code from the app').fill(codeAt(secret, enrolStep));
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  await context.close();

  const attacker = await newCustomer(browser, 'desktop');
  await signIn(attacker.page, sys.baseUrl, m.email);
  for (let i = 0; i < 5; i++) {
    await enterCode(attacker.page, `wrong code ${i}`);
    await attacker.page.getByTestId('sign-in-error').waitFor();
  }
  expect(await attacker.page.getByTestId('sign-in-error').textContent()).toMatch(/locked until/);
  // The challenge is gone and the password step itself is locked now.
  await attacker.page.goto(`${sys.baseUrl}/dashboard/sign-in`);
  await attacker.page.getByLabel('Email').fill(m.email);
  await attacker.page.getByLabel('Password').fill(PASSWORD);
  await attacker.page.getByRole('button', { name: 'Sign in' }).click();
  await attacker.page.getByTestId('sign-in-error').waitFor();
  expect(await attacker.page.getByTestId('sign-in-error').textContent()).toMatch(/locked until/);
  await attacker.context.close();
}, 120_000);
