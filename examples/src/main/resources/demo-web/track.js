// The customer tracking page: the embeddable tracking widget (served by tracking-servlet) draws the
// order, with a language switch; the demo's street map follows the widget's location and signal
// events, the way a platform that draws its own map would use them.
import { drawMap } from '/demo/map.js';

const params = new URLSearchParams(location.search);
const token = params.get('access_token') || '';
const orderId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
const page = document.body.dataset;
const select = document.getElementById('lang');
let driver = null;
let widget = null;

const mapReady = drawMap(document.getElementById('map')).then(async (map) => {
  const destination = map.marker('destination', 9);
  driver = map.marker('driver hidden', 10);
  try {
    const res = await fetch(`/tracking/orders/${encodeURIComponent(orderId)}`, { headers: { Authorization: `Bearer ${token}` } });
    if (res.ok) {
      const snapshot = await res.json();
      destination.moveTo(snapshot.order.destination.lat, snapshot.order.destination.lon);
    }
  } catch (e) { /* the widget carries on regardless */ }
});

function showDriver() {
  mapReady.then(() => {
    const s = widget.state;
    driver.node.classList.toggle('hidden', s.terminal || !s.fix || s.band === 'connection_lost');
    driver.node.classList.toggle('stale', s.band === 'low_coverage');
  });
}

async function start(lang) {
  const { mount } = await import(page.widget);
  if (widget) widget.destroy();
  widget = mount('#tracking', {
    base: '/tracking', order: orderId, token, lang: lang || undefined,
    staleAfter: Number(page.staleAfter), lostAfter: Number(page.lostAfter),
  });
  document.documentElement.lang = widget.lang;
  document.documentElement.dir = widget.element.dir;
  widget.on('location', (fix) => mapReady.then(() => { driver.moveTo(fix.lat, fix.lon); showDriver(); }));
  widget.on('signal', showDriver).on('end', showDriver);
  window.trackingWidget = widget; // for the browser test
}

select.value = params.get('lang') || '';
select.addEventListener('change', () => {
  const url = new URL(location.href);
  if (select.value) url.searchParams.set('lang', select.value); else url.searchParams.delete('lang');
  history.replaceState(null, '', url);
  start(select.value);
});
start(select.value);

// A restaurant that has shown no sign of life for a while (its board neither streaming nor polling) is
// counted offline by the server, and the order's snapshot says so: tell the customer why nothing moves.
const dark = document.getElementById('restaurant-dark');
async function checkRestaurant() {
  try {
    const res = await fetch(`/tracking/orders/${encodeURIComponent(orderId)}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) return;
    const snapshot = await res.json();
    const status = snapshot.order.status;
    if (snapshot.restaurant_offline && status === 'received') {
      dark.textContent = 'The restaurant has not confirmed your order yet; it may be without power.';
    } else if (snapshot.restaurant_offline) {
      dark.textContent = 'The restaurant seems to be offline (it may be without power); your order may be delayed.';
    }
    dark.hidden = !snapshot.restaurant_offline;
  } catch (e) { /* the next check tries again */ }
}
checkRestaurant();
setInterval(checkRestaurant, 30000);
