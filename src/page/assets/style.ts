/** The page's stylesheet, served as `/pay-assets/page.css`: mobile first, one card, system fonts. */
export const PAGE_CSS = `
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --bg: #f3f4f6; --accent: #f7931a; --accent-ink: #7c4a03;
  --ok: #047857; --bad: #b91c1c; --radius: 14px; --footer-ink: #4b5563;
  --accent-fill: #f7931a; --accent-text: #111827; color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.45;
  font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.test-banner { background: #fef3c7; color: #92400e; text-align: center; font-size: 14px; padding: 6px 12px; font-weight: 600; }
.card { background: #fff; max-width: 460px; margin: 0 auto; padding: 20px 18px 24px; min-height: 100vh; }
@media (min-width: 520px) {
  .card { margin: 32px auto; min-height: 0; border-radius: var(--radius); box-shadow: 0 10px 30px rgba(17,24,39,.08); padding: 28px 28px 30px; }
}
.merchant { text-align: center; }
.brand-logo { margin: 0 0 12px; }
.brand-logo img { display: block; max-height: 56px; max-width: 220px; object-fit: contain; }
.merchant-name { margin: 0 0 12px; color: var(--muted); font-size: 14px; font-weight: 600; letter-spacing: .02em; text-transform: uppercase; }
.title-image { display: block; max-width: 100%; max-height: 180px; margin: 0 auto 12px; border-radius: 10px; object-fit: cover; }
h1 { font-size: 22px; margin: 0 0 6px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 0 0 12px; }
.title-description, .description { margin: 0 0 6px; color: var(--muted); overflow-wrap: anywhere; }
.amount-box { text-align: center; margin: 16px 0 8px; padding: 14px; border: 1px solid var(--line); border-radius: var(--radius); }
.amount-label { margin: 0; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
.amount { margin: 2px 0; font-size: 30px; font-weight: 700; font-variant-numeric: tabular-nums; }
.amount-sub { margin: 0; color: var(--muted); font-variant-numeric: tabular-nums; }
.methods { list-style: none; display: flex; gap: 8px; justify-content: center; padding: 0; margin: 10px 0 16px; flex-wrap: wrap; }
.method { font-size: 13px; border: 1px solid var(--line); border-radius: 999px; padding: 3px 10px; color: var(--muted); }
.method-lightning::before { content: "\\26A1\\00A0"; }
fieldset { border: 0; margin: 0 0 14px; padding: 0; }
legend { font-weight: 700; margin-bottom: 8px; padding: 0; }
.field { margin-bottom: 12px; }
.field label { display: block; font-size: 14px; margin-bottom: 4px; font-weight: 600; }
.optional { color: var(--muted); font-weight: 400; }
input, select { width: 100%; font: inherit; padding: 10px 12px; border: 1px solid #d1d5db; border-radius: 10px; background: #fff; color: var(--ink); }
input:focus, select:focus { outline: 2px solid var(--accent); outline-offset: 1px; border-color: var(--accent); }
.invalid input, .invalid select { border-color: var(--bad); }
.error { color: var(--bad); font-size: 14px; margin: 4px 0 0; }
.hint { color: var(--muted); font-size: 13px; margin: 4px 0 0; }
.choice { display: flex; align-items: center; gap: 10px; border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px; margin-bottom: 8px; font-weight: 600; cursor: pointer; }
.choice input { width: auto; margin: 0; }
.alert { background: #fef2f2; color: var(--bad); border: 1px solid #fecaca; border-radius: 10px; padding: 10px 12px; margin-bottom: 14px; }
.button { display: inline-block; font: inherit; font-weight: 600; text-decoration: none; text-align: center; cursor: pointer;
  border-radius: 10px; padding: 10px 16px; border: 1px solid #d1d5db; background: #fff; color: var(--ink); }
/* Without branding, as with it (accentCss): the fill and its text at 4.5:1 or more; near-black on the orange is 7:1 (white would be 2.2:1). */
.button.primary { background: var(--accent-fill); border-color: var(--accent-fill); color: var(--accent-text); width: 100%; padding: 13px 16px; }
.button:disabled { opacity: .6; cursor: default; }
.pay { text-align: center; }
.qr { display: block; width: min(100%, 300px); margin: 0 auto 10px; padding: 10px; border: 1px solid var(--line); border-radius: var(--radius); background: #fff; }
.qr-code { display: block; width: 100%; height: auto; }
.countdown { margin: 4px 0; color: var(--muted); font-variant-numeric: tabular-nums; }
.live-status { margin: 4px 0 12px; font-weight: 600; }
.is-paid .live-status { color: var(--ok); }
.copy-row { text-align: left; margin-top: 12px; }
.copy-row label { display: block; font-size: 13px; color: var(--muted); margin-bottom: 4px; }
.copy-field { display: flex; gap: 8px; }
.copy-field input { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; min-width: 0; }
.notice { border-radius: 10px; padding: 10px 12px; margin: 0 0 14px; }
.notice.partial { background: #fffbeb; border: 1px solid #fde68a; color: var(--accent-ink); }
.preparing { padding: 24px 0; color: var(--muted); }
.spinner { width: 28px; height: 28px; margin: 0 auto 10px; border: 3px solid var(--line); border-top-color: var(--accent); border-radius: 50%; animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
.simulate { margin-top: 18px; padding: 12px; border: 1px dashed #f59e0b; border-radius: 10px; background: #fffbeb; }
.simulate-title { margin: 0 0 8px; font-weight: 700; color: #92400e; font-size: 14px; }
.simulate-row { display: flex; gap: 8px; align-items: flex-end; flex-wrap: wrap; }
.simulate-row label { flex: 1 1 110px; font-size: 13px; color: var(--muted); }
.done { text-align: center; padding: 8px 0; }
.check { width: 56px; height: 56px; line-height: 56px; margin: 0 auto 10px; border-radius: 50%; background: #d1fae5; color: var(--ok); font-size: 30px; font-weight: 700; }
.notice-page { text-align: center; padding: 28px 0; }
.notice-page p { color: var(--muted); }
.cancel { text-align: center; margin: 18px 0 0; font-size: 14px; }
.cancel a { color: var(--muted); }
/* The footer sits on the page background, not the white card: --muted is 4.2:1 there, --footer-ink 7:1.
   It never takes the merchant's accent colour (accentCss styles only the card edge and the buttons). */
.powered { text-align: center; color: var(--footer-ink); font-size: 12px; margin: 12px 0 24px; }
`;
