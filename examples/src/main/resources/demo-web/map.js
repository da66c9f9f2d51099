// Draws the demo's Beirut street map as SVG from /demo/map.json: no tile server, works offline.
export async function drawMap(svg) {
  const map = await (await fetch('/demo/map.json')).json();
  const b = map.bounds;
  const width = 1000, height = Math.round(1000 * (b.max_lat - b.min_lat) / ((b.max_lon - b.min_lon) * Math.cos(b.min_lat * Math.PI / 180)));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const project = (lat, lon) => [
    (lon - b.min_lon) / (b.max_lon - b.min_lon) * width,
    (b.max_lat - lat) / (b.max_lat - b.min_lat) * height,
  ];
  const ns = 'http://www.w3.org/2000/svg';
  const el = (name, attrs, parent = svg) => {
    const node = document.createElementNS(ns, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    parent.appendChild(node);
    return node;
  };
  const sea = map.coast.map(([lat, lon]) => project(lat, lon).join(',')).join(' ');
  el('polygon', { class: 'sea', points: sea });
  for (const cls of ['street-edge', 'street']) {
    for (const street of map.streets) {
      el('polyline', { class: cls, points: street.points.map(([lat, lon]) => project(lat, lon).join(',')).join(' ') });
    }
  }
  for (const place of map.places) {
    const [x, y] = project(place.lat, place.lon);
    el('text', { class: 'label', x: x + 8, y: y - 6 }).textContent = place.name;
  }
  return {
    project,
    marker(cls, r) {
      const c = el('circle', { class: cls, r, cx: -100, cy: -100 });
      return {
        node: c,
        moveTo(lat, lon) { const [x, y] = project(lat, lon); c.setAttribute('cx', x); c.setAttribute('cy', y); },
      };
    },
  };
}
