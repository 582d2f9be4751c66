import type { Page } from 'playwright-core';
import { ADMIN_KEY, call, createMerchant } from '../../support/testSystem';

/** The password every test user gets (long enough for the 12-character rule). */
export const PASSWORD = 'correct horse battery staple';

/** A merchant account with a test key and one dashboard user of `role`. */
export async function merchantWithUser(
  baseUrl: string, role: 'owner' | 'developer' | 'viewer' = 'owner', name = 'Dashboard merchant',
): Promise<{ id: string; key: string; email: string }> {
  const m = await createMerchant(baseUrl, { name });
  const email = await addUser(baseUrl, m.id, role);
  return { ...m, email };
}

let counter = 0;

/** Adds a user of `role` to an account through the admin API; returns its email. */
export async function addUser(baseUrl: string, accountId: string, role: string): Promise<string> {
  const email = `${role}-${Date.now().toString(36)}-${counter++}@shop.test`;
  const res = await call(baseUrl, ADMIN_KEY, 'POST', `/accounts/${accountId}/users`, { email, role, password: PASSWORD });
  if (res.status !== 200) throw new Error(`user creation failed: ${JSON.stringify(res.body)}`);
  return email;
}

/** Signs in through the form (the one already shown, if the page is on it); resolves on the first page after it. */
export async function signIn(page: Page, baseUrl: string, email: string, password = PASSWORD): Promise<void> {
  if (!page.url().includes('/dashboard/sign-in')) await page.goto(`${baseUrl}/dashboard/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

/** A signed-in HTTP client (no browser): its cookie and the session's CSRF token, read from a page. */
export interface DashboardClient {
  cookie: string;
  csrf: string;
  get(path: string): Promise<{ status: number; text: string; location: string | null }>;
  post(path: string, form: Record<string, string>, headers?: Record<string, string>): Promise<{ status: number; text: string; location: string | null }>;
}

/** Signs in with fetch (no redirects followed) and returns a client for the dashboard's routes. */
export async function dashboardClient(baseUrl: string, email: string, password = PASSWORD): Promise<DashboardClient> {
  const res = await fetch(`${baseUrl}/dashboard/sign-in`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password }).toString(),
  });
  const setCookie = res.headers.get('set-cookie');
  if (res.status !== 303 || !setCookie) throw new Error(`sign-in failed: ${res.status}`);
  const cookie = setCookie.split(';')[0];
  const request = async (method: string, path: string, body?: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${baseUrl}${path}`, {
      method, redirect: 'manual', body,
      headers: { cookie, accept: 'text/html', ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
    });
    return { status: r.status, text: await r.text(), location: r.headers.get('location') };
  };
  const home = await request('GET', '/dashboard/account');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)?.[1];
  if (!csrf) throw new Error('no CSRF token on the account page');
  return {
    cookie, csrf,
    get: (path) => request('GET', path),
    post: (path, form, headers) => request('POST', path, new URLSearchParams(form).toString(), headers),
  };
}
