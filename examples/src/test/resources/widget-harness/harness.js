// A host page for the widget's browser tests: embeds the widget (the ES module, or the classic build
// with ?classic=1) with timings short enough for a test, and records what it reports.
const q = new URLSearchParams(location.search);
const log = window.widgetLog = { statuses: [], connections: [], signals: [], violations: [] };
document.addEventListener('securitypolicyviolation', (e) => log.violations.push(e.violatedDirective + ' ' + e.blockedURI));
const api = q.get('classic') ? window.OrderTrackingWidget : await import(document.body.dataset.widget);
const options = {
  base: '/tracking', order: q.get('order'), token: q.get('token'), lang: q.get('lang') || undefined,
  digits: q.get('digits') || undefined, timeZone: q.get('tz') || undefined,
  staleAfter: 3, lostAfter: 8, retryDelay: 500, pollInterval: 1000, streamRetryInterval: 2000, silenceTimeout: 3000,
};
// ?headless=1: a host that draws its own UI uses only the event API
const widget = window.widget = q.get('headless') ? api.createTracker(options) : api.mount('#w', options);
widget.on('status', (e) => log.statuses.push(e.status + '#' + e.seq));
widget.on('connection', (c) => log.connections.push(c.state));
widget.on('signal', (s) => log.signals.push(s.state + ':' + s.source));
widget.on('location', (f) => { log.locations = (log.locations || []).concat(f.lat + ',' + f.lon); });
if (q.get('headless')) widget.start();
