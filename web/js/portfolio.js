// The portfolio: every tenant in scope with level, maturity, trend and what needs doing;
// sortable by any figure; refreshed every 15 s.
import { call } from './api.js';
import { el, pct, fill } from './format.js';
import { sparkline, destroyCharts } from './charts.js';

const sort = { key: 'display_name', dir: 1 };
let data = [];
let timer = null;

function render() {
  const table = document.getElementById('portfolio-table');
  for (const th of table.querySelectorAll('th[data-key]')) {
    th.setAttribute('aria-sort', th.dataset.key === sort.key
      ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
  }
  const rows = [...data].sort((a, b) => {
    const x = a[sort.key], y = b[sort.key];
    return (typeof x === 'string' ? x.localeCompare(y) : x - y) * sort.dir;
  });
  destroyCharts('trend');
  const trs = rows.map((t) => {
    const canvas = el('canvas', { class: 'trend', width: '140', height: '36', role: 'img',
      'aria-label': `Level over 90 days: ${(t.trend || []).length} days with a change` });
    const tr = el('tr', { 'data-tenant': t.tenant },
      el('th', { scope: 'row' }, el('a', { href: `#/tenant/${t.tenant}`, text: t.display_name }),
        el('br'), el('span', { class: 'muted', text: t.slug })),
      el('td', { class: 'n level', text: pct(t.security_level) }),
      el('td', { class: 'n', text: String(t.maturity) }),
      el('td', {}, canvas),
      el('td', { class: 'n', text: String(t.open_nonconformities) }),
      el('td', { class: 'n', text: String(t.overdue_actions) }),
      el('td', { class: 'n', text: t.risks_above_appetite < 0 ? '—' : String(t.risks_above_appetite) }));
    tr._trend = [canvas, t];
    return tr;
  });
  fill(table.tBodies[0], trs, 'No tenant in your scope.', 7);
  for (const tr of trs) sparkline('trend', tr._trend[0], tr._trend[1].trend || [], tr._trend[1].security_level);
  document.getElementById('portfolio-note').textContent =
    `${data.length} tenant${data.length === 1 ? '' : 's'} in your scope.`;
}

async function load() {
  try {
    const p = await call('ims.v1.Portfolio/GetPortfolio', { days: 90 });
    data = p.tenants || [];
    render();
  } catch (e) {
    document.getElementById('portfolio-note').textContent = `Cannot read the portfolio (${e.message}).`;
  }
}

document.querySelectorAll('#portfolio-table th[data-key] button').forEach((b) => {
  b.addEventListener('click', () => {
    const key = b.parentElement.dataset.key;
    sort.dir = sort.key === key ? -sort.dir : (key === 'display_name' ? 1 : -1);
    sort.key = key;
    render();
  });
});

export function showPortfolio() {
  load();
  clearInterval(timer);
  timer = setInterval(load, 15000);
}

export function hidePortfolio() {
  clearInterval(timer);
  timer = null;
}
