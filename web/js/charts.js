// Charts drawn with Chart.js (Debian's libjs-chart.js, served by imsd): the level history
// and the portfolio's trend lines. Times are numbers on a linear axis (no date adapter).
const charts = {};

export function destroyCharts(group) {
  for (const c of charts[group] || []) c.destroy();
  charts[group] = [];
}

function keep(group, chart) {
  (charts[group] = charts[group] || []).push(chart);
}

const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const minute = (ms) => new Date(ms).toISOString().slice(5, 16).replace('T', ' ');
const second = (ms) => new Date(ms).toISOString().slice(11, 19);

export function sparkline(group, canvas, trend, current) {
  if (!window.Chart) return;
  // One point per day that had a change (the level that day ended with), then now; a
  // tenant younger than the window is drawn over its life.
  const now = Date.now();
  const points = trend.map((p) => ({ x: Date.parse(p.day + 'T00:00:00Z'), y: 100 * p.security_level }));
  points.push({ x: now, y: 100 * current });
  const from = Math.max(now - 90 * 864e5, Math.min(...points.map((p) => p.x)));
  keep(group, new window.Chart(canvas, {
    type: 'line',
    data: { datasets: [{ data: points, borderColor: '#0b4f8a', borderWidth: 2,
      pointRadius: points.map((p, k) => (k === points.length - 1 ? 2.5 : 0)), pointBackgroundColor: '#0b4f8a',
      stepped: true, fill: false }] },
    options: { animation: false, responsive: false, events: [],
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: { x: { type: 'linear', display: false, min: from, max: now },
        y: { display: false, min: 0, max: 100 } } },
  }));
}

export function historyChart(group, canvas, points, current) {
  if (!window.Chart) return;
  const data = points.map((p) => ({ x: Date.parse(p.at), y: 100 * p.security_level }));
  data.push({ x: Date.now(), y: 100 * current });
  const span = data.length ? data[data.length - 1].x - data[0].x : 0;
  const label = span < 3600e3 ? second : span < 2 * 864e5 ? minute : day;
  keep(group, new window.Chart(canvas, {
    type: 'line',
    data: { datasets: [{ label: 'Security level (%)', data, borderColor: '#0b4f8a',
      backgroundColor: 'rgba(11,79,138,.12)', fill: true, stepped: true, pointRadius: 2 }] },
    options: { animation: false, maintainAspectRatio: false,
      plugins: { legend: { display: false },
        tooltip: { callbacks: { title: (items) => new Date(items[0].parsed.x).toISOString().slice(0, 16).replace('T', ' ') } } },
      scales: {
        x: { type: 'linear', ticks: { callback: (v) => label(v), maxTicksLimit: 6, color: '#333' } },
        y: { min: 0, max: 100, ticks: { callback: (v) => `${v} %`, color: '#333' } } } },
  }));
}
