// The operators' page: the demo relays GET /tracking/operations/stream (an operator's stream) from
// /demo/operations/stream, to this machine only, holding the operator token itself: no token is in
// this page. A snapshot replaces the whole view; each event after it changes one line.
const $ = (id) => document.getElementById(id);
const offline = new Map();   // restaurant id -> restaurant_offline data
const stuck = new Map();     // order id + status -> order_stuck data
const atRisk = new Map();    // order id -> order_at_risk data
const log = [];

function table(id, rows, empty) {
  const t = $(id);
  t.textContent = '';
  if (rows.length === 0) {
    const tr = t.insertRow();
    const td = tr.insertCell();
    td.className = 'muted';
    td.textContent = empty;
    return;
  }
  for (const cells of rows) {
    const tr = t.insertRow();
    for (const c of cells) tr.insertCell().textContent = c;
  }
}

const since = (iso) => (iso ? `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000))} min ago` : 'never');

function render() {
  table('offline', [...offline.values()].map((r) => [r.restaurant_id, `${r.open_orders} waiting order(s)`,
    `last seen ${since(r.last_seen_at)}`, `silent since ${new Date(r.silent_since).toLocaleTimeString()}`]), 'none');
  table('stuck', [...stuck.values()].map((s) => [s.order_id, s.restaurant_id, s.status,
    `since ${new Date(s.since).toLocaleTimeString()}`, `limit ${Math.round(s.limit_seconds / 60)} min`]), 'none');
  table('at-risk', [...atRisk.values()].map((a) => [a.order_id, JSON.stringify(a)]), 'none');
  table('log', log.slice(-12).reverse().map((e) => [new Date().toLocaleTimeString(), e.type, e.text]), 'none yet');
}

function figures(f) {
  const rows = [];
  for (const [kind, n] of Object.entries(f.connections || {})) rows.push([`open ${kind.replace('_', ' ')}s`, String(n)]);
  rows.push(['leaked streams (last sweep)', String(f.leaks)], ['leaks closed', String(f.leaks_closed)]);
  if (f.restaurants_offline !== null) rows.push(['restaurants offline', String(f.restaurants_offline)]);
  if (f.orders_stuck !== null) rows.push(['orders stuck', String(f.orders_stuck)]);
  for (const [band, n] of Object.entries(f.staleness || {})) rows.push([`deliveries ${band.replace('_', ' ')}`, String(n)]);
  if (f.outbox) rows.push(['outbox backlog', `${f.outbox.backlog} event(s)` + (f.outbox.oldest_age_seconds === null ? '' : `, oldest ${f.outbox.oldest_age_seconds} s`)]);
  table('figures', rows, 'none');
}

// Stuck orders leave the list only with a fresh snapshot (there is no "unstuck" event): reconnect
// once a minute for one.
let stream = null;
function connect() {
  if (stream) stream.close();
  stream = new EventSource('/demo/operations/stream');
  listen(stream);
}

function listen(stream) {
stream.addEventListener('open', () => { $('live').textContent = 'live'; });
stream.addEventListener('error', () => { $('live').textContent = 'reconnecting…'; });
stream.addEventListener('snapshot', (e) => {
  const s = JSON.parse(e.data);
  offline.clear(); stuck.clear(); atRisk.clear();
  for (const r of s.offline_restaurants) offline.set(r.restaurant_id, r);
  for (const o of s.stuck_orders) stuck.set(`${o.order_id}/${o.status}`, o);
  for (const a of s.at_risk_orders) atRisk.set(a.order_id, a);
  figures(s.figures);
  render();
});
stream.addEventListener('figures', (e) => figures(JSON.parse(e.data)));
const note = (type, text) => { log.push({ type, text }); render(); };
stream.addEventListener('restaurant_offline', (e) => {
  const r = JSON.parse(e.data);
  offline.set(r.restaurant_id, r);
  note('restaurant_offline', `${r.restaurant_id}: no sign of life, ${r.open_orders} order(s) waiting`);
});
stream.addEventListener('restaurant_online', (e) => {
  const r = JSON.parse(e.data);
  offline.delete(r.restaurant_id);
  note('restaurant_online', `${r.restaurant_id}: ${r.reason === 'seen' ? 'back' : 'no order waits for it any more'}`);
});
stream.addEventListener('order_stuck', (e) => {
  const s = JSON.parse(e.data);
  stuck.set(`${s.order_id}/${s.status}`, s);
  note('order_stuck', `${s.order_id} ${s.status} for over ${Math.round(s.limit_seconds / 60)} min`);
});
stream.addEventListener('order_at_risk', (e) => {
  const a = JSON.parse(e.data);
  atRisk.set(a.order_id, a);
  note('order_at_risk', a.order_id);
});
stream.addEventListener('retention_purged', (e) => note('retention_purged', e.data));
}

connect();
setInterval(connect, 60000);
