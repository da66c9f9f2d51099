// The customer tracking page: one EventSource, a timeline that never loses or repeats an entry
// (status events are applied once, by seq), and an honest map: a position is shown as current
// only while the signal is "moving".
import { drawMap } from '/demo/map.js';

const STEPS = ['received', 'accepted', 'preparing', 'ready', 'picked_up', 'delivered'];
const LABELS = { received: 'Order received', accepted: 'Accepted by the restaurant', preparing: 'Being prepared',
  ready: 'Ready for pickup', picked_up: 'On its way', delivered: 'Delivered', failed: 'Could not be completed' };

const params = new URLSearchParams(location.search);
const token = params.get('access_token') || '';
const orderId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
const $ = (id) => document.getElementById(id);
$('order-id').textContent = orderId;

const state = { lastSeq: 0, status: null, events: new Map(), terminal: false, signal: 'moving', lastSeenAt: null,
  ageBase: 0, ageReceivedAt: 0, eta: null, source: null };
window.trackingState = state; // for the browser test

const mapReady = drawMap($('map'));
let driver = null, destination = null;

function fmtTime(iso) { return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }); }

function renderTimeline() {
  const list = $('timeline');
  list.innerHTML = '';
  const failed = [...state.events.values()].find((e) => e.status === 'failed');
  const steps = failed ? [...STEPS.filter((s) => state.events.has(s)), 'failed'] : STEPS;
  for (const step of steps) {
    const li = document.createElement('li');
    const event = state.events.get(step);
    li.dataset.status = step;
    li.className = event ? (step === 'failed' ? 'failed done' : 'done') : '';
    li.textContent = LABELS[step] + (step === 'failed' && event?.reason ? ` (${event.reason.replaceAll('_', ' ')})` : '');
    if (event) {
      const t = document.createElement('time');
      t.dateTime = event.at;
      t.textContent = fmtTime(event.at);
      li.appendChild(t);
    }
    list.appendChild(li);
  }
  const badge = $('status');
  badge.textContent = (state.status || '…').replace('_', ' ');
  badge.className = 'status-badge ' + (state.status || '');
}

function applyStatus(event) {
  if (event.seq <= state.lastSeq) return; // a replayed or duplicated event: already shown
  state.lastSeq = event.seq;
  state.status = event.status;
  state.events.set(event.status, event);
  state.terminal = event.status === 'delivered' || event.status === 'failed';
  renderTimeline();
  if (state.terminal) {
    state.source?.close();
    state.eta = null;
    if (driver) driver.node.classList.add('hidden');
    renderBanner();
  }
}

function applyLocation(loc) {
  if (!loc || state.terminal) return;
  mapReady.then(() => {
    driver.moveTo(loc.lat, loc.lon);
  });
  state.signal = 'moving';
  state.lastSeenAt = loc.recorded_at;
  state.ageBase = 0;
  state.ageReceivedAt = Date.now();
  if (loc.eta_seconds != null) state.eta = loc.eta_seconds;
  renderBanner();
}

function applySignal(signal) {
  if (!signal || state.terminal) return;
  state.signal = signal.state;
  state.lastSeenAt = signal.last_seen_at;
  state.ageBase = signal.age_seconds ?? 0;
  state.ageReceivedAt = Date.now();
  renderBanner();
}

function renderBanner() {
  const banner = $('banner');
  const age = Math.round(state.ageBase + (Date.now() - state.ageReceivedAt) / 1000);
  if (state.terminal) {
    banner.className = 'banner info';
    banner.textContent = state.status === 'delivered' ? 'Delivered. Enjoy your meal!' : 'This order could not be completed.';
  } else if (state.status !== 'picked_up') {
    banner.className = 'banner info';
    banner.textContent = 'The restaurant is working on your order.';
  } else if (state.signal === 'connection_lost') {
    banner.className = 'banner connection_lost';
    banner.textContent = 'Tracking is temporarily unavailable: the driver has no signal. Your order is still on its way.';
  } else if (state.signal === 'low_coverage') {
    banner.className = 'banner low_coverage';
    banner.textContent = `Driver last seen ${age} s ago (weak signal). The position shown is where they were then.`;
  } else if (state.lastSeenAt) {
    banner.className = 'banner live';
    banner.textContent = 'Your driver is on the way.';
  } else {
    banner.className = 'banner info';
    banner.textContent = 'Waiting for the driver\'s position…';
  }
  if (driver) {
    driver.node.classList.toggle('hidden', state.terminal || state.signal === 'connection_lost' || !state.lastSeenAt);
    driver.node.classList.toggle('stale', state.signal === 'low_coverage');
  }
  $('eta').textContent = state.terminal || state.eta == null || state.signal === 'connection_lost'
    ? '—' : `~${Math.max(1, Math.round(state.eta / 60))} min`;
  $('driver-note').textContent = !state.terminal && state.signal === 'low_coverage' && state.lastSeenAt
    ? `Last position recorded at ${fmtTime(state.lastSeenAt)}.` : '';
}
setInterval(renderBanner, 1000);

function open(lastEventId) {
  const url = new URL(`/tracking/orders/${encodeURIComponent(orderId)}/stream`, location.origin);
  url.searchParams.set('access_token', token);
  if (lastEventId) url.searchParams.set('last_event_id', String(lastEventId));
  const source = new EventSource(url);
  state.source = source;
  source.addEventListener('status', (e) => applyStatus(JSON.parse(e.data)));
  source.addEventListener('location', (e) => applyLocation(JSON.parse(e.data)));
  source.addEventListener('signal', (e) => applySignal(JSON.parse(e.data)));
  source.addEventListener('snapshot', (e) => {
    const snapshot = JSON.parse(e.data);
    if (snapshot.eta_seconds != null) state.eta = snapshot.eta_seconds;
    applyLocation(snapshot.location);
    applySignal(snapshot.signal);
    renderBanner();
  });
  source.onopen = () => renderBanner();
  source.onerror = () => {
    if (state.terminal) return;
    const banner = $('banner');
    banner.className = 'banner reconnecting';
    banner.textContent = 'Reconnecting…';
    if (source.readyState === EventSource.CLOSED) {
      // the browser gave up (e.g. an error status during a restart): open a new stream that
      // resumes after the last status we have
      setTimeout(() => open(state.lastSeq), 3000);
    }
  };
}

mapReady.then(async (map) => {
  destination = map.marker('destination', 9);
  driver = map.marker('driver hidden', 10);
  try {
    const res = await fetch(`/tracking/orders/${encodeURIComponent(orderId)}`, { headers: { Authorization: `Bearer ${token}` } });
    if (res.ok) {
      const snapshot = await res.json();
      destination.moveTo(snapshot.order.destination.lat, snapshot.order.destination.lon);
    }
  } catch (e) { /* the stream carries on regardless */ }
  renderBanner();
});
renderTimeline();
open(0);
