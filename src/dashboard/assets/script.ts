/**
 * The dashboard's only script of its own, served as `/dashboard/assets/dashboard.js` (CSP
 * `script-src 'self'`: no inline code). Progressive enhancement only: every page works without it.
 * Copy buttons, confirmation of destructive forms, and the revenue chart from its data table.
 */
export const DASHBOARD_SCRIPT = `
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var btn = e.target.closest('[data-copy]');
    if (!btn) return;
    var field = document.getElementById(btn.getAttribute('data-copy'));
    if (!field) return;
    var text = field.value || field.textContent;
    var done = function () { btn.textContent = 'Copied'; setTimeout(function () { btn.textContent = 'Copy'; }, 1500); };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, function () { field.select && field.select(); });
    else { field.select && field.select(); }
  });
  document.addEventListener('submit', function (e) {
    var msg = e.target.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  var table = document.getElementById('revenue-data');
  var canvas = document.getElementById('revenue-chart');
  if (table && canvas && window.Chart) {
    var labels = [], values = [];
    table.querySelectorAll('tbody tr').forEach(function (tr) {
      labels.push(tr.children[0].textContent);
      values.push(Number(tr.children[1].getAttribute('data-sats')));
    });
    new window.Chart(canvas, {
      type: 'bar',
      data: { labels: labels, datasets: [{ label: 'Revenue (sats)', data: values, backgroundColor: '#b45309' }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
})();
`;
