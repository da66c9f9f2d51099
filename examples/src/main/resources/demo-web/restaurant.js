// The restaurant dashboard: the board is the JSON list of active orders (fetched with ETag, so a
// refresh costs a 304 when nothing changed), refreshed whenever the restaurant's SSE stream
// carries an event. Buttons post transitions with the restaurant's token. With a power schedule
// (--power-schedule), an order at risk of a scheduled cut carries power_risk and its card says when
// the cut starts, counted down on this page from cut_start.
const params = new URLSearchParams(location.search);
const token = params.get('access_token') || '';
const restaurantId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
const $ = (id) => document.getElementById(id);
$('restaurant-id').textContent = restaurantId;

const ACTIONS = {
  received: [['accepted', 'Accept', 'primary'], ['failed', 'Reject', 'danger', 'rejected_by_restaurant']],
  accepted: [['preparing', 'Start cooking', 'primary'], ['failed', 'Cancel', 'danger', 'cancelled']],
  preparing: [['ready', 'Food ready', 'primary']],
  ready: [], picked_up: [],
};
let etag = null;
let orders = [];

async function refresh() {
  const headers = { Authorization: `Bearer ${token}` };
  if (etag) headers['If-None-Match'] = etag;
  const res = await fetch(`/tracking/restaurants/${encodeURIComponent(restaurantId)}/orders`, { headers });
  if (res.status === 304) return;
  if (!res.ok) return;
  etag = res.headers.get('ETag');
  const body = await res.json();
  orders = Array.isArray(body) ? body : (body.orders || []);
  render();
}

function render() {
  for (const column of document.querySelectorAll('.column')) {
    column.querySelectorAll('.order').forEach((n) => n.remove());
    for (const order of orders.filter((o) => o.status === column.dataset.status)) {
      const card = document.createElement('div');
      card.className = 'order';
      card.dataset.orderId = order.order_id;
      card.innerHTML = `<b></b><span class="muted"></span><div></div>`;
      card.querySelector('b').textContent = order.order_id;
      card.querySelector('span').textContent = `customer ${order.customer_id}` + (order.driver_id ? ` · driver ${order.driver_id}` : '');
      if (order.power_risk) {
        card.classList.add('at-risk');
        const risk = document.createElement('p');
        risk.className = 'risk';
        risk.textContent = riskText(order.power_risk);
        card.insertBefore(risk, card.querySelector('div'));
      }
      for (const [status, label, cls, reason] of ACTIONS[order.status] || []) {
        const button = document.createElement('button');
        button.textContent = label;
        button.className = cls;
        button.onclick = () => move(order.order_id, status, reason);
        card.querySelector('div').appendChild(button);
      }
      column.appendChild(card);
    }
  }
}

// "Power cut in 3 min (hamra, until 14:02)": minutes rounded up, as the server counts them
function riskText(risk) {
  const minutes = Math.ceil((Date.parse(risk.cut_start) - Date.now()) / 60000);
  const until = new Date(risk.cut_end).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const when = minutes > 0 ? `in ${minutes} min` : minutes === 0 ? 'now' : `started ${-minutes} min ago`;
  return `\u26A1 Power cut ${when} (${risk.area}, until ${until})`;
}

async function move(orderId, status, reason) {
  const res = await fetch(`/tracking/orders/${encodeURIComponent(orderId)}/transitions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(reason ? { status, reason } : { status }),
  });
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    alert(problem.detail || `Could not move the order (${res.status})`);
  }
  refresh();
}

async function metrics() {
  // served by the demo to this machine only, fetched with an operator token no page ever holds
  const res = await fetch('/demo/metrics');
  if (!res.ok) return;
  const body = await res.json();
  const rows = [];
  const walk = (prefix, value) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else if (!Array.isArray(value)) {
      rows.push([prefix, value]);
    }
  };
  walk('', body);
  const table = $('metrics');
  table.innerHTML = '';
  for (const [k, v] of rows.slice(0, 40)) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
}

const url = new URL(`/tracking/restaurants/${encodeURIComponent(restaurantId)}/stream`, location.origin);
url.searchParams.set('access_token', token);
const source = new EventSource(url);
source.onopen = () => { $('live').textContent = 'live'; refresh(); };
source.onerror = () => { $('live').textContent = 'reconnecting…'; };
source.addEventListener('status', () => refresh());
source.addEventListener('order_at_risk', () => refresh());
refresh();
metrics();
setInterval(refresh, 10000); // the polling fallback, cheap thanks to the ETag
setInterval(metrics, 5000);
setInterval(render, 15000); // the power-cut countdowns
