/**
 * The page's only script, served by the app as `/pay-assets/page.js` (no framework, no CDN). It adds
 * copy buttons, the countdown, live status by polling `/pay/{cs}/status`, and the simulator's
 * in-page post. Everything it improves also works without it (forms post, a noscript refresh).
 * Plain ES2017 without template literals, so it can live in this string as is.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var root = document.getElementById('checkout');
  if (!root) return;

  function flash(button, label) {
    var old = button.textContent;
    button.textContent = label;
    setTimeout(function () { button.textContent = old; }, 1500);
  }
  // The clipboard API needs a secure context; elsewhere fall back to selecting the text.
  Array.prototype.forEach.call(document.querySelectorAll('[data-copy]'), function (button) {
    button.addEventListener('click', function () {
      var input = document.getElementById(button.getAttribute('data-copy'));
      if (!input) return;
      input.select();
      var legacy = function () { flash(button, document.execCommand('copy') ? 'Copied' : 'Press Ctrl+C'); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(function () { flash(button, 'Copied'); }, legacy);
      } else {
        legacy();
      }
    });
  });

  var statusUrl = root.getAttribute('data-status-url');
  if (!statusUrl) return;
  var stateKey = root.getAttribute('data-state-key');
  // Count down on the server's clock, not the device's (phones are often minutes off).
  var skew = Number(root.getAttribute('data-now')) - Date.now();
  var expiresAt = Number(root.getAttribute('data-expires-at')) || 0;
  var countdown = root.querySelector('[data-countdown]');
  var liveStatus = root.querySelector('[data-live-status]');
  var stopped = false;

  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function remaining(ms) {
    var s = Math.floor(ms / 1000);
    if (s >= 86400) return Math.floor(s / 86400) + ' days';
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h > 0 ? h + ':' + pad(m) : String(m)) + ':' + pad(s % 60);
  }
  function tick() {
    if (!countdown || !expiresAt) return;
    var left = expiresAt - (Date.now() + skew);
    countdown.textContent = left > 0 ? remaining(left) : 'now, renewing…';
  }
  tick();
  setInterval(tick, 1000);

  function say(text) { if (liveStatus) liveStatus.textContent = text; }
  function changed(s) {
    stopped = true;
    if (s.status === 'paid' && s.success_url) {
      root.className += ' is-paid';
      say('Payment received. Taking you back to the merchant…');
      setTimeout(function () { window.location.assign(s.success_url); }, 800);
      return;
    }
    // Paid, deactivated, renewed or part-paid: the server renders the new state.
    window.location.reload();
  }
  function poll() {
    if (stopped) return;
    fetch(statusUrl, { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s && s.key !== stateKey) changed(s); })
      .catch(function () { /* offline for a moment: the next poll tries again */ })
      .then(function () { if (!stopped) setTimeout(poll, 1500); });
  }
  setTimeout(poll, 1000);

  var sim = document.querySelector('form.simulate');
  if (sim) {
    sim.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = sim.querySelector('button');
      button.disabled = true;
      var body = { method: sim.elements.method.value };
      var amount = sim.elements.amount.value.trim();
      if (amount !== '') body.amount = amount;
      fetch(sim.action, {
        method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body),
      }).then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, body: j }; });
      }).then(function (res) {
        if (res.ok) return say('Simulated payment sent. Waiting for it to arrive…');
        button.disabled = false;
        say((res.body.errors && res.body.errors[0] && res.body.errors[0].message) || 'The simulator refused this payment.');
      }, function () { button.disabled = false; });
    });
  }
})();
`;
