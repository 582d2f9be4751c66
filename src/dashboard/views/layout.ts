import { html, type SafeHtml } from '../../page/html';
import type { SignedIn } from '../db/sessions';
import { can, type Permission } from '../auth/roles';

/** Paths of the dashboard's own assets (served by the app: no CDN). */
export const DASH_ASSETS = {
  css: '/dashboard/assets/dashboard.css',
  js: '/dashboard/assets/dashboard.js',
  chart: '/dashboard/assets/chart.umd.js',
} as const;

/** The navigation: label, path, and the permission a link needs to be shown. */
const NAV: { label: string; path: string; needs: Permission }[] = [
  { label: 'Home', path: '/dashboard', needs: 'read' },
  { label: 'Checkout sessions', path: '/dashboard/sessions', needs: 'read' },
  { label: 'Links', path: '/dashboard/links', needs: 'read' },
  { label: 'Money', path: '/dashboard/money', needs: 'read' },
  { label: 'Webhooks', path: '/dashboard/webhooks', needs: 'read' },
  { label: 'Developers', path: '/dashboard/developers', needs: 'read' },
  { label: 'Settings', path: '/dashboard/settings', needs: 'read' },
  { label: 'Platform', path: '/dashboard/admin', needs: 'platform' },
];

/** A hidden form field with the session's CSRF token: every state-changing form carries one. */
export function csrfField(s: SignedIn): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${s.csrfToken}">`;
}

/** A one-button POST form (deactivate, revoke, sign out): CSRF token included. */
export function postButton(s: SignedIn, action: string, label: string, opts: { danger?: boolean; confirm?: string; testId?: string } = {}): SafeHtml {
  return html`<form method="post" action="${action}" class="inline"${opts.confirm ? html` data-confirm="${opts.confirm}"` : ''}>${csrfField(s)}<button type="submit" class="button${opts.danger ? ' danger' : ''}"${opts.testId ? html` data-testid="${opts.testId}"` : ''}>${label}</button></form>`;
}

/** A page of the signed-in dashboard: navigation, the mode switch, the user menu, then `body`. */
export function dashboardPage(s: SignedIn, opts: { title: string; current: string; body: SafeHtml; scripts?: string[]; flash?: string }): string {
  const merchant = s.user.account_id !== null;
  const nav = NAV.filter((n) => can(s.user.role, n.needs));
  return document(opts.title, html`
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="/dashboard">Checkout</a>
  ${merchant ? html`<form method="post" action="/dashboard/mode" class="mode-switch">${csrfField(s)}
    <input type="hidden" name="livemode" value="${s.livemode ? 'false' : 'true'}">
    <button type="submit" class="mode ${s.livemode ? 'mode-live' : 'mode-test'}" data-testid="mode-switch" aria-label="${s.livemode ? 'Live mode: switch to test data' : 'Test mode: switch to live data'}">${s.livemode ? 'Live' : 'Test mode'}</button>
  </form>` : ''}
  <details class="user-menu"><summary>${s.user.email} <span class="role">${s.user.role}</span></summary>
    <div class="menu">
      <a href="/dashboard/account">Password and sessions</a>
      <form method="post" action="/dashboard/sign-out">${csrfField(s)}<button type="submit" class="link-button">Sign out</button></form>
    </div>
  </details>
</header>
<div class="shell">
  <nav class="sidenav" aria-label="Dashboard"><ul>
    ${nav.map((n) => html`<li><a href="${n.path}"${n.path === opts.current ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}
  </ul></nav>
  <main id="main" tabindex="-1">
    ${merchant && !s.livemode ? html`<p class="test-note" role="note">Viewing test data.</p>` : ''}
    ${opts.flash ? html`<p class="flash" role="status">${opts.flash}</p>` : ''}
    ${opts.body}
  </main>
</div>`, opts.scripts);
}

/** The HTML document around a page (signed-in or not). */
export function document(title: string, body: SafeHtml, scripts: string[] = []): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Checkout dashboard</title>
<link rel="stylesheet" href="${DASH_ASSETS.css}">
${scripts.map((src) => html`<script src="${src}" defer></script>`)}
<script src="${DASH_ASSETS.js}" defer></script>
</head>
<body>
${body}
</body>
</html>
`.value;
}
