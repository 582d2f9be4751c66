import { html, type SafeHtml } from '../../page/html';

/** The new-password form (an invitation's first password, or a change): `extra` goes before the field. */
export function passwordForm(action: string, title: string, extra: SafeHtml | string, error?: string): SafeHtml {
  return html`<h1>${title}</h1>
${error ? html`<p class="alert" role="alert">${error}</p>` : ''}
<form method="post" action="${action}" class="panel">
  ${extra}
  <div class="field"><label for="new_password">New password</label><input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="12" required>
  <p class="hint">At least 12 characters.</p></div>
  <button type="submit" class="button primary">Save password</button>
</form>`;
}
