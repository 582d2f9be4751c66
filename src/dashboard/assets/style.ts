/**
 * The dashboard's stylesheet, served as `/dashboard/assets/dashboard.css`: system fonts, a side
 * navigation that becomes a scrolling strip under 760 px, tables that scroll sideways on a phone.
 * Colours meet WCAG AA contrast (4.5:1 for text): the primary is a dark orange, not the brand orange.
 */
export const DASHBOARD_CSS = `
:root { --ink: #111827; --muted: #4b5563; --line: #e5e7eb; --bg: #f6f7f9; --primary: #b45309; --primary-ink: #fff;
  --ok: #047857; --bad: #b91c1c; --warn: #92400e; --radius: 10px; color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: #1d4ed8; }
.skip { position: absolute; left: -9999px; top: 0; background: #fff; padding: 8px 12px; z-index: 10; }
.skip:focus { left: 8px; top: 8px; }
:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
.topbar { display: flex; align-items: center; gap: 12px; padding: 10px 16px; background: #111827; color: #fff; flex-wrap: wrap; }
.brand { color: #fff; font-weight: 700; text-decoration: none; margin-right: auto; font-size: 17px; }
.mode { font: inherit; font-size: 13px; font-weight: 700; border-radius: 999px; padding: 4px 12px; border: 2px solid; cursor: pointer; }
.mode-test { background: #fef3c7; color: #78350f; border-color: #fde68a; }
.mode-live { background: #d1fae5; color: #064e3b; border-color: #6ee7b7; }
.user-menu { position: relative; }
.user-menu summary { cursor: pointer; list-style: none; font-size: 14px; }
.user-menu summary::-webkit-details-marker { display: none; }
.user-menu .menu { position: absolute; right: 0; top: 28px; background: #fff; color: var(--ink); border: 1px solid var(--line);
  border-radius: var(--radius); padding: 8px 12px; min-width: 220px; box-shadow: 0 8px 24px rgba(0,0,0,.12); z-index: 5; }
.user-menu .menu a, .user-menu .menu .link-button { display: block; padding: 6px 0; }
.role { background: #374151; color: #fff; border-radius: 6px; padding: 1px 6px; font-size: 12px; margin-left: 4px; }
.shell { display: flex; min-height: calc(100vh - 52px); }
.sidenav { width: 210px; flex: none; background: #fff; border-right: 1px solid var(--line); padding: 12px 8px; }
.sidenav ul { list-style: none; margin: 0; padding: 0; }
.sidenav a { display: block; padding: 8px 12px; border-radius: 8px; color: var(--ink); text-decoration: none; font-weight: 500; }
.sidenav a:hover { background: var(--bg); }
.sidenav a[aria-current="page"] { background: #fff7ed; color: #7c2d12; font-weight: 700; }
main { flex: 1; min-width: 0; padding: 20px 24px 40px; max-width: 1200px; }
main:focus { outline: none; }
@media (max-width: 760px) {
  .shell { display: block; }
  .sidenav { width: auto; border-right: 0; border-bottom: 1px solid var(--line); padding: 6px; overflow-x: auto; }
  .sidenav ul { display: flex; gap: 4px; white-space: nowrap; }
  main { padding: 14px 12px 32px; }
}
h1 { font-size: 24px; margin: 0 0 16px; }
h2 { font-size: 18px; margin: 24px 0 10px; }
.muted, .hint { color: var(--muted); }
.hint { font-size: 13px; margin: 4px 0 0; }
.test-note { background: #fef3c7; color: #78350f; border-radius: 8px; padding: 6px 10px; margin: 0 0 12px; font-size: 13px; font-weight: 600; }
.flash { background: #ecfdf5; color: #065f46; border: 1px solid #a7f3d0; border-radius: 8px; padding: 8px 12px; }
.alert { background: #fef2f2; color: var(--bad); border: 1px solid #fecaca; border-radius: 8px; padding: 8px 12px; }
.secret { background: #fffbeb; border: 1px solid #fcd34d; border-radius: 8px; padding: 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-bottom: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 13px; margin: 0; }
.card .value { font-size: 22px; font-weight: 700; margin: 2px 0 0; font-variant-numeric: tabular-nums; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: var(--radius); padding: 16px; margin-bottom: 16px; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: var(--radius); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); background: #fafafa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:last-child td { border-bottom: 0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 8px; font-size: 12px; font-weight: 700; background: #e5e7eb; color: #1f2937; }
.badge.paid, .badge.active, .badge.succeeded, .badge.ok { background: #d1fae5; color: #065f46; }
.badge.deactivated, .badge.failed, .badge.revoked, .badge.disabled { background: #fee2e2; color: #991b1b; }
.badge.pending, .badge.invited { background: #fef3c7; color: #78350f; }
form.inline { display: inline; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
.toolbar .field { margin: 0; max-width: 100%; }
.toolbar input.search { width: 26rem; max-width: 100%; }
.field { margin-bottom: 12px; }
.field label, .field .label { display: block; font-weight: 600; font-size: 14px; margin-bottom: 4px; }
input, select, textarea { font: inherit; padding: 8px 10px; border: 1px solid #6b7280; border-radius: 8px; background: #fff; color: var(--ink); max-width: 100%; }
input[type="checkbox"] { width: auto; }
.form-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 0 16px; }
.form-grid input, .form-grid select, .form-grid textarea { width: 100%; }
fieldset { border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 14px; margin: 0 0 12px; }
legend { font-weight: 700; padding: 0 4px; }
.button { display: inline-block; font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; border-radius: 8px; padding: 8px 14px;
  border: 1px solid #6b7280; background: #fff; color: var(--ink); }
.button.primary { background: var(--primary); border-color: var(--primary); color: var(--primary-ink); }
.button.danger { color: var(--bad); border-color: #f87171; }
.link-button { background: none; border: 0; padding: 0; font: inherit; color: #1d4ed8; text-decoration: underline; cursor: pointer; }
.error { color: var(--bad); font-size: 14px; margin: 4px 0 0; }
.pager { display: flex; gap: 8px; margin-top: 12px; }
.timeline { list-style: none; margin: 0; padding: 0; border-left: 2px solid var(--line); }
.timeline li { position: relative; padding: 0 0 14px 16px; }
.timeline li::before { content: ""; position: absolute; left: -6px; top: 6px; width: 10px; height: 10px; border-radius: 50%; background: var(--primary); }
.timeline .when { color: var(--muted); font-size: 13px; }
.dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.dl dt { color: var(--muted); }
.dl dd { margin: 0; overflow-wrap: anywhere; }
.copy-field { display: flex; gap: 8px; }
.copy-field input { flex: 1; min-width: 0; font-family: ui-monospace, monospace; font-size: 13px; }
.qr { width: 200px; height: 200px; }
.chart-box { position: relative; height: 240px; }
.signin { max-width: 400px; margin: 8vh auto; background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 24px; }
.signin input { width: 100%; }
.signin .button { width: 100%; margin-top: 4px; }
.tabs { margin: 0 0 16px; overflow-x: auto; }
.tabs ul { display: flex; gap: 4px; list-style: none; margin: 0; padding: 0; border-bottom: 1px solid var(--line); white-space: nowrap; }
.tabs a { display: block; padding: 8px 12px; color: var(--ink); text-decoration: none; border-bottom: 3px solid transparent; font-weight: 500; }
.tabs a[aria-current="page"] { border-bottom-color: var(--primary); color: #7c2d12; font-weight: 700; }
details.panel summary { cursor: pointer; }
details.panel[open] summary { margin-bottom: 12px; }
.choice { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; margin: 4px 0 8px; }
.choice label { font-weight: 600; }
.clip { display: inline-block; max-width: 22rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
.logo-preview { max-height: 56px; max-width: 220px; object-fit: contain; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px; }
input[type="color"] { width: 4rem; height: 2.5rem; padding: 2px; }
.codes { columns: 2; list-style: none; padding: 0; font-size: 15px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
