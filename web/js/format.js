// Small helpers for building the page from data: elements with text (never HTML), numbers.

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export function pct(v, digits = 1) {
  return `${(100 * (v || 0)).toFixed(digits)} %`;
}

export function date(s) { return s ? s.slice(0, 10) : '—'; }

export function minutes(m) {
  if (!m) return '—';
  if (m % 1440 === 0) return `${m / 1440} d`;
  if (m % 60 === 0) return `${m / 60} h`;
  return `${m} min`;
}

export function fill(tbody, rows, empty, columns) {
  tbody.replaceChildren();
  if (!rows.length) {
    tbody.append(el('tr', {}, el('td', { colspan: String(columns), class: 'muted', text: empty })));
    return;
  }
  for (const r of rows) tbody.append(r);
}

// A score 0..1 as a light colour from red through amber to green; dark ink stays readable.
export function scoreColour(s) {
  const hue = Math.round(120 * Math.max(0, Math.min(1, s)));
  return { bg: `hsl(${hue}, 75%, 78%)`, ink: '#111' };
}
