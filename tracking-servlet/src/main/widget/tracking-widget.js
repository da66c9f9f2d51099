// Order Tracking widget: an order's tracking rendered into a host element, or only its events.
// Dependency-free ES module; tracking-widget.classic.js is the same code built for a classic
// <script> (global OrderTrackingWidget). See docs/widget.md for options, events and strings.
// It builds its DOM with createElement/textContent only (no HTML parsing, no code evaluation, no
// style attributes: strict-CSP friendly) and talks to nothing but the tracking API.

const VERSION = '0.1.0';
const STEPS = ['received', 'accepted', 'preparing', 'ready', 'picked_up', 'delivered'];
const TERMINAL = ['delivered', 'failed'];

/** The string catalogue: language → key → text with {placeholders}. Hosts may extend or override it. */
const strings = {
  en: {
    region: 'Order tracking', title: 'Your order', timeline: 'Progress',
    received: 'Order received', accepted: 'Accepted by the restaurant', preparing: 'Being prepared',
    ready: 'Ready for pickup', picked_up: 'On its way', delivered: 'Delivered', failed: 'Could not be completed',
    eta: 'Estimated arrival', eta_value: 'about {min} min ({time})', eta_none: '—',
    connecting: 'Connecting…', reconnecting: 'Connection lost. Reconnecting…',
    polling: 'Live updates are interrupted. Checking for news every {n} s.',
    offline: 'You are offline. This page updates when you are back online.',
    kitchen: 'The restaurant is working on your order.', waiting: 'Waiting for the driver\'s position…',
    moving: 'Your driver is on the way.',
    low_coverage: 'Driver last seen {age} ago (weak signal). The position shown is where they were then.',
    connection_lost: 'The driver has no signal right now. Your order is still on its way.',
    position: 'Driver\'s position at {time} ({age} ago)',
    delivered_note: 'Delivered. Enjoy your meal!', failed_note: 'This order could not be completed.',
    announce: 'Order status: {status}', seconds: '{n} s', minutes: '{n} min',
  },
  fr: {
    region: 'Suivi de commande', title: 'Votre commande', timeline: 'Étapes',
    received: 'Commande reçue', accepted: 'Acceptée par le restaurant', preparing: 'En préparation',
    ready: 'Prête à partir', picked_up: 'En route', delivered: 'Livrée', failed: 'N\u2019a pas pu aboutir',
    eta: 'Arrivée estimée', eta_value: 'environ {min} min ({time})', eta_none: '—',
    connecting: 'Connexion…', reconnecting: 'Connexion perdue. Reconnexion…',
    polling: 'Mises à jour en direct interrompues. Vérification toutes les {n} s.',
    offline: 'Vous êtes hors ligne. Cette page se met à jour dès votre retour en ligne.',
    kitchen: 'Le restaurant prépare votre commande.', waiting: 'En attente de la position du livreur…',
    moving: 'Votre livreur est en route.',
    low_coverage: 'Livreur vu il y a {age} (signal faible). La position affichée est celle de ce moment-là.',
    connection_lost: 'Le livreur n\u2019a plus de signal. Votre commande est toujours en route.',
    position: 'Position du livreur à {time} (il y a {age})',
    delivered_note: 'Livrée. Bon appétit !', failed_note: 'Cette commande n\u2019a pas pu aboutir.',
    announce: 'Statut de la commande : {status}', seconds: '{n} s', minutes: '{n} min',
  },
  ar: {
    region: 'تتبع الطلب', title: 'طلبك', timeline: 'مراحل الطلب',
    received: 'تم استلام الطلب', accepted: 'قبل المطعم الطلب', preparing: 'قيد التحضير',
    ready: 'جاهز للاستلام', picked_up: 'في الطريق إليك', delivered: 'تم التوصيل', failed: 'تعذّر إتمام الطلب',
    eta: 'الوصول المتوقع', eta_value: 'خلال {min} دقيقة تقريبًا ({time})', eta_none: '—',
    connecting: 'جارٍ الاتصال…', reconnecting: 'انقطع الاتصال. جارٍ إعادة الاتصال…',
    polling: 'التحديث المباشر متوقف. نتحقق من الجديد كل {n} ثانية.',
    offline: 'أنت غير متصل بالإنترنت. ستُحدَّث الصفحة عند عودة الاتصال.',
    kitchen: 'المطعم يحضّر طلبك.', waiting: 'بانتظار موقع السائق…',
    moving: 'السائق في الطريق إليك.',
    low_coverage: 'آخر ظهور للسائق منذ {age} (إشارة ضعيفة). الموقع المعروض هو مكانه حينها.',
    connection_lost: 'لا إشارة لدى السائق حاليًا. طلبك ما زال في الطريق.',
    position: 'موقع السائق عند {time} (منذ {age})',
    delivered_note: 'تم التوصيل. صحتين وعافية!', failed_note: 'نعتذر، تعذّر إتمام هذا الطلب.',
    announce: 'حالة الطلب: {status}', seconds: '{n} ث', minutes: '{n} د',
  },
};

/** Adds or overrides strings of one language, for every widget mounted afterwards. */
function defineStrings(lang, overrides) {
  strings[lang] = Object.assign({}, strings[lang] || strings.en, overrides);
}

const RTL = ['ar', 'fa', 'he', 'ur'];

function pickLanguage(wanted, catalogue) {
  const nav = typeof navigator === 'undefined' ? [] : (navigator.languages || [navigator.language]);
  for (const tag of [wanted, ...nav]) {
    if (!tag) continue;
    if (catalogue[tag]) return tag;
    const primary = String(tag).toLowerCase().split('-')[0];
    if (catalogue[primary]) return primary;
  }
  return 'en';
}

/**
 * Creates a tracker without UI: connects to the order's stream (polling when the stream keeps
 * failing) and calls back on status, location, signal, eta, connection and end. Call start().
 */
function createTracker(options) {
  const o = Object.assign({
    base: '/tracking', staleAfter: 30, lostAfter: 120, retryDelay: 3000, maxStreamFailures: 3,
    pollInterval: 5000, streamRetryInterval: 30000, silenceTimeout: 10000,
  }, options);
  if (!o.order || !o.token) throw new Error('tracking widget: order and token are required');
  const handlers = {};
  const state = {
    lastSeq: 0, status: null, events: [], terminal: false, connection: 'idle',
    fix: null, seen: null, noFix: false, band: null, eta: null,
  };
  let source = null, silence = 0, pollTimer = 0, reopenTimer = 0, streamProbe = 0, tick = 0, failures = 0, etag = null;
  let stopped = true;
  const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
  const url = (path) => o.base.replace(/\/$/, '') + '/orders/' + encodeURIComponent(o.order) + path;

  function emit(type, detail) {
    for (const fn of handlers[type] || []) {
      try { fn(detail, api); } catch (e) { setTimeout(() => { throw e; }); }
    }
  }
  function connection(next) {
    if (state.connection === next) return;
    state.connection = next;
    emit('connection', { state: next, pollInterval: o.pollInterval });
  }

  function applyStatus(event) {
    if (!event || event.seq <= state.lastSeq) return; // replayed or duplicated: already applied
    state.lastSeq = event.seq;
    state.status = event.status;
    state.events.push(event);
    const terminal = TERMINAL.includes(event.status);
    if (terminal) { // settle the state first, so status listeners already see the end
      state.terminal = true;
      state.fix = null; state.seen = null; state.eta = null; state.band = null;
      stopTransports();
      clearInterval(tick);
    }
    emit('status', event);
    if (terminal) {
      connection('closed');
      emit('end', event);
    } else {
      reband('server');
    }
  }

  // age of the last fix in seconds: anchored on the server's view when it gave one (a signal's
  // age_seconds), zero for a live push, then advanced on the local monotonic clock, so a phone
  // whose clock is wrong still ages the band correctly
  function age() { return state.seen ? state.seen.age + (now() - state.seen.at) / 1000 : null; }
  function reband(src) {
    if (state.terminal || state.status !== 'picked_up') return;
    const a = age();
    const band = a == null ? (state.noFix ? 'connection_lost' : null)
      : a < o.staleAfter ? 'moving' : a < o.lostAfter ? 'low_coverage' : 'connection_lost';
    if (band !== state.band) {
      state.band = band;
      emit('signal', { state: band, age_seconds: a == null ? null : Math.floor(a), fix: state.fix, source: src });
    }
  }
  function applyLocation(loc, ageSeconds) {
    if (!loc || state.terminal) return;
    if (state.fix && Date.parse(loc.recorded_at) < Date.parse(state.fix.recorded_at)) return; // never go back
    state.fix = { lat: loc.lat, lon: loc.lon, recorded_at: loc.recorded_at, accuracy: loc.accuracy };
    state.seen = { age: Math.max(0, ageSeconds || 0), at: now() };
    state.noFix = false;
    if (loc.eta_seconds != null) applyEta(loc.eta_seconds);
    emit('location', state.fix);
    reband('server');
  }
  function applySignal(signal) {
    if (!signal || state.terminal) return;
    if (signal.last_seen_at == null) {
      state.fix = null; state.seen = null; state.noFix = signal.state === 'connection_lost';
    } else if (!state.fix || Date.parse(signal.last_seen_at) >= Date.parse(state.fix.recorded_at)) {
      state.seen = { age: Math.max(0, signal.age_seconds || 0), at: now() };
    }
    reband('server');
  }
  function applyEta(seconds) {
    state.eta = seconds == null ? null : { seconds, at: Date.now() };
    emit('eta', state.eta);
  }
  function applySnapshot(s) {
    if (s.eta_seconds != null) applyEta(s.eta_seconds);
    applyLocation(s.location, s.signal && s.signal.age_seconds);
    applySignal(s.signal);
  }

  // ---- stream (EventSource resends Last-Event-ID on its own reconnects; ours pass last_event_id).
  // The server sends a snapshot event right after connecting, so a stream that stays silent for
  // silenceTimeout (a proxy that buffers streaming) counts as failed; "live" means an event arrived.
  function openStream() {
    closeStream();
    if (stopped || state.terminal) return;
    const q = '?access_token=' + encodeURIComponent(o.token) + (state.lastSeq ? '&last_event_id=' + state.lastSeq : '');
    const es = source = new EventSource(url('/stream' + q));
    const on = (type, fn) => es.addEventListener(type, (e) => {
      if (source !== es) return;
      clearTimeout(silence);
      if (state.connection !== 'live') { failures = 0; stopPolling(); connection('live'); }
      fn(JSON.parse(e.data));
    });
    on('status', applyStatus);
    on('location', (l) => applyLocation(l, 0));
    on('signal', applySignal);
    on('snapshot', applySnapshot);
    const listen = () => { clearTimeout(silence); silence = setTimeout(() => failed(es, true), o.silenceTimeout); };
    es.onopen = () => { if (source === es) listen(); };
    es.onerror = () => failed(es, es.readyState === 2);
    listen();
  }
  function failed(es, gaveUp) {
    if (source !== es || state.terminal) return;
    failures++;
    if (state.connection === 'polling') { closeStream(); return; } // a probe that failed: keep polling
    if (failures >= o.maxStreamFailures) { closeStream(); startPolling(); return; }
    connection('reconnecting');
    if (gaveUp) { // the browser gave up (an error status), or the stream is silent: reopen ourselves
      closeStream();
      reopenTimer = setTimeout(openStream, o.retryDelay);
    }
  }
  function closeStream() {
    clearTimeout(reopenTimer);
    clearTimeout(silence);
    if (source) { source.close(); source = null; }
  }

  // ---- polling fallback: GET /orders/{id} with ETag, probing the stream now and then
  function startPolling() {
    connection('polling');
    clearInterval(streamProbe);
    streamProbe = setInterval(openStream, o.streamRetryInterval);
    poll();
  }
  async function poll() {
    clearTimeout(pollTimer);
    if (stopped || state.terminal || state.connection !== 'polling') return;
    try {
      const headers = { Authorization: 'Bearer ' + o.token, Accept: 'application/json' };
      if (etag) headers['If-None-Match'] = etag;
      const res = await fetch(url(''), { headers, cache: 'no-store' });
      if (res.status === 200) {
        etag = res.headers.get('ETag');
        const body = await res.json();
        for (const e of body.events || []) applyStatus(e);
        if (!state.terminal) applySnapshot(body);
      } else if (res.status === 401 || res.status === 403 || res.status === 404) {
        emit('error', { status: res.status });
        stop();
        return;
      }
    } catch (e) { /* network error: try again at the next interval */ }
    if (state.connection === 'polling') pollTimer = setTimeout(poll, o.pollInterval);
  }
  function stopPolling() {
    clearTimeout(pollTimer);
    clearInterval(streamProbe);
  }
  function stopTransports() { closeStream(); stopPolling(); }

  function offline() {
    if (stopped || state.terminal) return;
    stopTransports();
    connection('offline');
  }
  function online() {
    if (stopped || state.terminal) return;
    failures = 0;
    connection('connecting');
    openStream();
  }

  function start() {
    if (!stopped || state.terminal) return api;
    stopped = false;
    addEventListener('offline', offline);
    addEventListener('online', online);
    tick = setInterval(() => reband('local'), 1000);
    if (typeof navigator !== 'undefined' && navigator.onLine === false) offline();
    else { connection('connecting'); openStream(); }
    return api;
  }
  function stop() {
    stopped = true;
    stopTransports();
    clearInterval(tick);
    removeEventListener('offline', offline);
    removeEventListener('online', online);
    if (!state.terminal) connection('closed');
  }

  const api = {
    state, options: o, start, stop, age,
    /** Adds a callback for 'status', 'location', 'signal', 'eta', 'connection', 'end' or 'error'. */
    on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); return api; },
  };
  return api;
}

/** Renders an order's tracking into {@code host} (an element or a selector) and starts it. */
function mount(host, options) {
  const el = typeof host === 'string' ? document.querySelector(host) : host;
  if (!el) throw new Error('tracking widget: no element ' + host);
  const o = Object.assign({}, options);
  const catalogue = Object.assign({}, strings);
  for (const [lang, extra] of Object.entries(o.strings || {})) catalogue[lang] = Object.assign({}, catalogue[lang] || strings.en, extra);
  const lang = pickLanguage(o.lang, catalogue);
  const dict = catalogue[lang];
  const rtl = RTL.includes(lang);
  const locale = lang + (o.digits ? '-u-nu-' + o.digits : '');
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: o.timeZone });
  const t = (key, vars) => String(dict[key] != null ? dict[key] : strings.en[key] != null ? strings.en[key] : key)
    .replace(/\{(\w+)\}/g, (m, k) => (vars && vars[k] != null ? vars[k] : m));
  const fmtAge = (s) => s < 60 ? t('seconds', { n: num.format(Math.floor(s)) }) : t('minutes', { n: num.format(Math.floor(s / 60)) });
  const fmtTime = (iso) => clock.format(new Date(iso));

  const node = (tag, cls, parent, text) => {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text != null) n.textContent = text;
    if (parent) parent.appendChild(n);
    return n;
  };
  const root = node('section', 'otw');
  root.lang = lang;
  root.dir = rtl ? 'rtl' : 'ltr';
  root.setAttribute('aria-label', t('region'));
  const head = node('div', 'otw-head', root);
  node('h2', 'otw-title', head, t('title'));
  const id = node('bdi', 'otw-id', head, o.order);
  id.dir = 'ltr';
  const badge = node('span', 'otw-status', head, '…');
  const notice = node('p', 'otw-notice', root);
  const live = node('p', 'otw-sr', root);
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  live.setAttribute('aria-atomic', 'true');
  const etaBox = node('p', 'otw-eta', root);
  node('span', 'otw-label', etaBox, t('eta'));
  const etaValue = node('strong', '', etaBox, t('eta_none'));
  const driver = node('p', 'otw-driver', root);
  const position = node('p', 'otw-position', root);
  node('h3', 'otw-label', root, t('timeline'));
  const list = node('ol', 'otw-timeline', root);
  el.replaceChildren(root);

  const tracker = createTracker(o);
  const s = tracker.state;

  function renderTimeline() {
    const seen = new Map(s.events.map((e) => [e.status, e]));
    const steps = seen.has('failed') ? STEPS.filter((x) => seen.has(x)).concat('failed') : STEPS;
    list.replaceChildren();
    for (const step of steps) {
      const e = seen.get(step);
      const li = node('li', e ? (step === 'failed' ? 'otw-done otw-failed' : 'otw-done') : '', list, t(step));
      li.dataset.status = step;
      if (step === s.status) li.setAttribute('aria-current', 'step');
      if (e && e.reason && step === 'failed') node('span', 'otw-reason', li, ' (' + e.reason.replace(/_/g, ' ') + ')');
      if (e) {
        const time = node('time', '', li, fmtTime(e.at));
        time.dateTime = e.at;
      }
    }
  }
  function renderLive() {
    const picked = s.status === 'picked_up' && !s.terminal;
    const band = s.band;
    root.dataset.band = picked ? band || 'waiting' : '';
    const a = tracker.age();
    driver.textContent = s.terminal ? t(s.status === 'delivered' ? 'delivered_note' : 'failed_note')
      : !s.status ? '' : !picked ? t('kitchen') : !band ? t('waiting') : band === 'connection_lost' ? t('connection_lost')
        : band === 'moving' ? t('moving') : t('low_coverage', { age: fmtAge(a) });
    // a position is shown with its time and age, never once the driver counts as lost
    position.textContent = picked && s.fix && band !== 'connection_lost'
      ? t('position', { time: fmtTime(s.fix.recorded_at), age: fmtAge(a) }) : '';
    const eta = s.eta && picked && band !== 'connection_lost' ? s.eta : null;
    etaBox.hidden = s.terminal;
    etaValue.textContent = eta ? t('eta_value', {
      min: num.format(Math.max(1, Math.round((eta.seconds - (Date.now() - eta.at) / 1000) / 60))),
      time: clock.format(new Date(eta.at + eta.seconds * 1000)),
    }) : t('eta_none');
  }
  function renderConnection() {
    const c = s.connection;
    root.dataset.connection = c;
    notice.textContent = c === 'connecting' || c === 'reconnecting' || c === 'offline' ? t(c)
      : c === 'polling' ? t('polling', { n: num.format(Math.round(tracker.options.pollInterval / 1000)) }) : '';
    notice.hidden = !notice.textContent;
  }
  tracker.on('status', (e) => {
    root.dataset.status = e.status;
    badge.textContent = t(e.status);
    badge.className = 'otw-status otw-' + e.status;
    renderTimeline();
    renderLive();
    live.textContent = t('announce', { status: t(e.status) });
  });
  tracker.on('location', renderLive).on('signal', renderLive).on('eta', renderLive).on('connection', renderConnection);
  const timer = setInterval(renderLive, 1000);
  renderTimeline();
  renderConnection();
  tracker.start();
  tracker.element = root;
  tracker.lang = lang;
  tracker.destroy = () => { clearInterval(timer); tracker.stop(); root.remove(); };
  return tracker;
}

export { mount, createTracker, strings, defineStrings, VERSION };
