import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { lateBound } from '../../support/useTestSystem';

/**
 * How long a browser test waits on the server (a payment credited, a page updated by its 1.5 s poll):
 * generous, because on a loaded two-core machine a workflow step can take many seconds. The tests assert
 * what happens, not how fast.
 */
export const BACKEND_WAIT_MS = 60_000;

/** Debian's chromium (`apt-get install chromium`); CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const SCREENSHOTS = path.join(__dirname, '..', 'screenshots');

/** Launches headless Chromium (playwright gives every launch a fresh, throwaway profile). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
}

/** A fresh browser context: a phone-sized one or a desktop one. */
export async function newCustomer(browser: Browser, device: 'phone' | 'desktop' = 'desktop'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(device === 'phone'
    ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
    : { viewport: { width: 1280, height: 900 } });
  return { context, page: await context.newPage() };
}

/** Saves a full-page screenshot as `test/e2e/screenshots/{name}.png` (git-ignored). Returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="160" viewBox="0 0 480 160">'
  + '<rect width="480" height="160" rx="16" fill="#1f2937"/><circle cx="80" cy="80" r="44" fill="#f7931a"/>'
  + '<text x="150" y="98" font-family="sans-serif" font-size="44" font-weight="700" fill="#fff">Open Source</text></svg>';

/** A stand-in for the merchant's site: `/logo.svg` is its image; every other path a small "thank you" page. */
export async function startShopServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/logo.svg') return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(LOGO);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Shop</title><h1>Thanks from the shop</h1><p id="path">${req.url?.replace(/[<>&"]/g, '') ?? ''}</p>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Reads `read` until `done` holds, tolerating the page reloading under it (the page reloads itself
 * when the session changes, which destroys the context a read was running in).
 */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(last)}; last error ${String(lastError)}`);
}

/**
 * The browser of a test file: Chromium launched before the file's tests and closed after them (with
 * `useTestSystem()`, the whole preamble of a browser test). Read through to the launched browser.
 */
export function useBrowser(): Browser {
  let launched: Browser | undefined;
  beforeAll(async () => { launched = await launchBrowser(); });
  afterAll(async () => {
    await launched?.close();
    launched = undefined;
  });
  return lateBound('the browser', () => launched);
}
