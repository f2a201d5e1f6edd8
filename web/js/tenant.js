// One tenant's board: level, maturity and the levels awarded, what costs most, systems and
// frameworks, the history, the control heatmap, the risk matrices, the BIA, the plan, open
// incidents and findings with their actions, and the open actions (overdue flagged).
// A level event from the live stream shows at once; the rest is read again right after.
import { call, live, report } from './api.js';
import { el, pct, date, minutes, fill, scoreColour } from './format.js';
import { historyChart, destroyCharts } from './charts.js';
import { cell, gridLevel } from './risk.js';

let current = null; // { tenant, stream, refresh }
const $ = (id) => document.getElementById(id);

// Shows a level unless a newer one is shown already (a read may answer after the stream).
function showLevel(l) {
  const v = $('level-value');
  if (v.dataset.revision !== '' && Number(v.dataset.revision) > l.revision) return;
  v.textContent = pct(l.security_level);
  if (v.dataset.revision !== String(l.revision)) document.body.dataset.levelShownAt = String(Date.now());
  v.dataset.revision = String(l.revision);
  v.dataset.level = String(l.security_level);
  $('maturity-value').textContent = String(l.maturity);
  $('revision-value').textContent = String(l.revision);
  $('cause-value').textContent = l.cause || '—';
  v.parentElement.classList.remove('flash');
  void v.parentElement.offsetWidth;
  v.parentElement.classList.add('flash');
}

function renderCosts(level, titles) {
  const list = $('costs-list');
  list.replaceChildren();
  for (const e of level.explanation || []) {
    list.append(el('li', {}, el('strong', { text: e.control }), ` ${titles[e.control] || ''}: `,
      `${pct(e.lost, 2)} of the level lost`));
  }
  if (!list.children.length) list.append(el('li', { text: 'Nothing loses weight.' }));
}

function renderSystems(level) {
  $('systems-list').replaceChildren(...(level.systems || []).map((s) =>
    el('li', {}, el('span', { text: s.system }), el('strong', { text: pct(s.score) }))));
  $('frameworks-list').replaceChildren(...(level.frameworks || []).map((f) =>
    el('li', {}, el('span', { text: `${f.framework} (maturity ${f.maturity})` }),
      el('strong', { text: pct(f.score) }))));
}

const natural = (a, b) => a.localeCompare(b, 'en', { numeric: true });
const FRAMEWORK_ORDER = ['iso27001-2022', 'iso22301-2019', 'iso31000-2018'];

// The domain a control belongs to: the longest domain id it extends ("A.5.1" -> "A.5",
// "22301-8.2.2" -> "22301-8").
function domainOf(control, domains) {
  let best = null;
  for (const d of domains) {
    if ((control === d || control.startsWith(`${d}.`) || control.startsWith(`${d}-`))
        && (!best || d.length > best.length)) best = d;
  }
  return best;
}

// Per framework (ISO/IEC 27001 first: its clauses and its Annex A themes), one row per
// theme or clause; one square per control, coloured by its effective score.
function renderHeatmap(level, soa) {
  const box = $('heatmap');
  box.replaceChildren();
  const scores = Object.fromEntries((level.controls || []).map((c) => [c.control, c.e]));
  const domainScore = Object.fromEntries((level.domains || []).map((d) => [d.domain, d.score]));
  const frameworks = new Map();
  for (const e of soa.entries || []) {
    if (!frameworks.has(e.framework)) frameworks.set(e.framework, []);
    frameworks.get(e.framework).push(e);
  }
  const order = [...frameworks.keys()].sort((a, b) => {
    const x = FRAMEWORK_ORDER.indexOf(a), y = FRAMEWORK_ORDER.indexOf(b);
    return (x < 0 ? 99 : x) - (y < 0 ? 99 : y) || a.localeCompare(b);
  });
  const known = (level.domains || []).map((d) => d.domain);
  for (const fw of order) {
    box.append(el('h3', { text: fw }));
    const rows = new Map();
    for (const c of frameworks.get(fw)) {
      const d = domainOf(c.control, known) || 'other';
      if (!rows.has(d)) rows.set(d, []);
      rows.get(d).push(c);
    }
    for (const d of [...rows.keys()].sort(natural)) {
      const cells = el('div', { class: 'heat-cells' });
      for (const c of rows.get(d).sort((a, b) => natural(a.control, b.control))) {
        const s = scores[c.control];
        const sq = el('span', { class: 'heat-cell', title: `${c.control} ${c.title}` },
          el('span', { text: c.control }), el('br'),
          el('span', { text: c.applicable && s !== undefined ? `${Math.round(100 * s)}` : 'excl.' }));
        if (c.applicable && s !== undefined) {
          const col = scoreColour(s);
          sq.style.backgroundColor = col.bg;
          sq.style.color = col.ink;
          sq.setAttribute('aria-label', `${c.control} ${c.title}: ${pct(s, 0)}`);
        } else {
          sq.classList.add('excluded');
          sq.setAttribute('aria-label', `${c.control} ${c.title}: excluded`);
        }
        cells.append(sq);
      }
      box.append(el('div', { class: 'heat-row' },
        el('div', {}, el('strong', { text: d }), ' ',
          el('span', { class: 'muted', text: domainScore[d] !== undefined ? pct(domainScore[d]) : '' })), cells));
    }
  }
}

function renderMatrix(table, pairs, residual) {
  const cells = {};
  for (const p of pairs) {
    const [l, i] = cell(p, residual);
    (cells[`${l},${i}`] = cells[`${l},${i}`] || []).push(p);
  }
  const head = el('tr', {}, el('th', { scope: 'col' }, el('span', { class: 'sr-only', text: 'Likelihood' })));
  for (let i = 1; i <= 5; i++) head.append(el('th', { scope: 'col', text: `I${i}` }));
  const rows = [el('caption', { class: 'sr-only', text: `${residual ? 'Residual' : 'Inherent'} risk: pairs by likelihood (rows, L) and impact (columns, I)` }), head];
  for (let l = 5; l >= 1; l--) {
    const tr = el('tr', {}, el('th', { scope: 'row', text: `L${l}` }));
    for (let i = 1; i <= 5; i++) {
      const here = cells[`${l},${i}`] || [];
      const td = el('td', { class: `lv${gridLevel(l, i)}` });
      if (here.length) {
        td.append(el('span', { class: 'count', text: String(here.length) }));
        td.append(el('ul', {}, ...here.slice(0, 4).map((p) => el('li', { text: `${p.asset} × ${p.threat}` }))));
        if (here.length > 4) td.append(el('span', { text: `+${here.length - 4} more` }));
      }
      tr.append(td);
    }
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}

function renderRisks(reg) {
  const pairs = reg.pairs || [];
  const above = pairs.filter((p) => !p.within_appetite).length;
  $('risk-summary').textContent = `${pairs.length} asset–threat pairs; appetite: level ${reg.appetite}; `
    + `${above} above it${reg.has_pairs ? `; the controls reduce the total risk by ${pct(reg.rho)}` : ''}.`;
  renderMatrix($('matrix-inherent'), pairs, false);
  renderMatrix($('matrix-residual'), pairs, true);
}

function renderBia(bia) {
  $('bia-summary').textContent = bia.has_processes
    ? `Readiness weighted by criticality: ${pct(bia.readiness)}.` : 'No process analysed yet.';
  fill($('bia-table').tBodies[0], (bia.processes || []).map((p) => {
    const ex = (p.exercises || [])[0];
    return el('tr', {}, el('th', { scope: 'row', text: p.name }),
      el('td', { class: 'n', text: String(p.criticality) }),
      el('td', { class: 'n', text: p.has_readiness ? pct(p.readiness) : '—' }),
      el('td', { class: 'n', text: minutes(p.rto_min) }),
      el('td', { class: 'n', text: minutes(p.mtpd_min) }),
      el('td', { text: ex ? `${date(ex.at)} (recovered in ${minutes(ex.recovery_min)})` : 'never' }));
  }), 'No process.', 6);
}

const STEP = {
  answer: 'Raise sub-control',
  close_finding: 'Close finding',
  make_current: 'Approve or review artefact',
};

function renderPlan(plan) {
  fill($('plan-table').tBodies[0], (plan.steps || []).map((s, k) => el('tr', {},
    el('td', { class: 'n', text: String(k + 1) }),
    el('td', { text: `${STEP[s.kind] || s.kind} ${s.target}`
      + (s.completes_maturity ? ` (reaches maturity ${s.maturity})` : '') }),
    el('td', { class: 'n', text: `+${(100 * s.delta).toFixed(2)} pp` }),
    el('td', { class: 'n', text: s.effort.toFixed(1) }),
    el('td', { class: 'n', text: pct(s.security_level) }))), 'Nothing left to improve.', 5);
}

// An action's due date, flagged when it is past.
function due(a) {
  const cell = el('td', {}, date(a.due));
  if (a.overdue) cell.append(' ', el('strong', { class: 'overdue', text: 'overdue' }));
  return cell;
}

function renderActions(actions) {
  const list = actions.actions || [];
  const late = list.filter((a) => a.overdue).length;
  $('actions-summary').textContent = `${list.length} open${actions.next_page_token ? ' (the first shown)' : ''}, ${late} overdue.`;
  fill($('actions-table').tBodies[0], list.map((a) => el('tr', { class: a.overdue ? 'late' : null, 'data-action': a.id },
    el('th', { scope: 'row', text: a.id }), el('td', { text: a.kind }),
    el('td', { text: a.source_kind && a.source_kind !== 'none' ? `${a.source_kind} ${a.source_id}` : '—' }),
    el('td', { text: a.description || '' }), el('td', { text: a.owner || '—' }), due(a))),
  'No open action.', 6);
}

// The documents the schema asks for: approved and within the review date (evidence), or not.
function renderDocuments(docs) {
  const list = docs.documents || [];
  const lapsed = (d) => d.status === 'approved' && !d.current;
  const current = list.filter((d) => d.current).length;
  const missing = list.filter((d) => d.status === 'missing').length;
  const late = list.filter(lapsed).length;
  $('documents-summary').textContent = `${list.length} kept: ${current} approved and current, `
    + `${missing} not written yet, ${late} past their review date.`;
  fill($('documents-table').tBodies[0], list.map((d) => {
    const state = lapsed(d) ? 'review overdue' : d.status;
    const flagged = lapsed(d) || (d.required && d.status !== 'approved');
    return el('tr', { class: flagged ? 'late' : null, 'data-document': d.artefact },
      el('th', { scope: 'row', text: d.title || d.artefact }),
      el('td', {}, flagged ? el('strong', { class: 'overdue', text: state }) : state),
      el('td', { class: 'n', text: d.version ? String(d.version) : '—' }),
      el('td', { text: d.owner_person || d.owner || '—' }),
      el('td', { text: d.approved_at ? date(d.approved_at) : '—' }),
      el('td', { text: d.review_due ? date(d.review_due) : '—' }));
  }), 'No document kept.', 6);
}

// The awards of a maturity level, near the computed maturity they are held against.
function renderAwards(awards) {
  const list = awards.awards || [];
  const now = new Date().toISOString();
  $('awards-list').replaceChildren(...list.map((w) => {
    const expired = w.expires_at && w.expires_at < now;
    const state = expired ? 'expired' : w.status;
    return el('li', { 'data-award': w.id, 'data-status': state },
      el('span', { text: `Level ${w.level} · ${w.framework || 'whole tenant'}`
        + (w.below_since && !expired && w.status === 'active' ? ` · below since ${date(w.below_since)}` : '') }),
      el('strong', { class: state === 'active' ? 'good' : 'overdue',
        text: `${state}${state === 'active' ? `, until ${date(w.expires_at)}` : ''}` }));
  }));
  if (!list.length) $('awards-list').append(el('li', { class: 'muted', text: 'None awarded yet.' }));
}

function renderEvents(incidents, findings, actions) {
  const open = (incidents.incidents || []).filter((i) => i.status !== 'closed' && i.status !== 'resolved');
  fill($('incidents-table').tBodies[0], open.map((i) => el('tr', {},
    el('th', { scope: 'row', text: i.id }), el('td', { class: 'n', text: String(i.severity) }),
    el('td', { text: i.status }), el('td', { text: date(i.detected_at) }),
    el('td', { text: i.description || '' }))), 'No open incident.', 5);
  const openF = (findings.findings || []).filter((f) => f.status === 'open');
  fill($('findings-table').tBodies[0], openF.map((f) => el('tr', {},
    el('th', { scope: 'row', text: f.id }), el('td', { text: f.type.replace('_', ' ') }),
    el('td', { text: (f.controls || []).join(', ') }),
    findingActions(f, actions))), 'No open finding.', 4);
}

// The open actions of a finding from the tracker: owner, due, overdue flagged.
function findingActions(f, actions) {
  const mine = (actions.actions || []).filter((a) => a.source_kind === 'finding' && a.source_id === f.id);
  const cell = el('td', {});
  mine.forEach((a, k) => {
    if (k) cell.append('; ');
    cell.append(`${a.id} ${a.owner || ''}, due ${date(a.due)}`);
    if (a.overdue) cell.append(' ', el('strong', { class: 'overdue', text: 'overdue' }));
  });
  if (!mine.length) cell.textContent = '—';
  return cell;
}

async function load(tenant, onError) {
  const t = { tenant };
  try {
    const [info, level] = await Promise.all([
      call('ims.v1.Tenants/GetTenant', t),
      call('ims.v1.Level/GetSecurityLevel', { tenant, controls: true, explain: 5 }),
    ]);
    if (!current || current.tenant !== tenant) return;
    $('tenant-title').textContent = info.display_name;
    document.title = `${info.display_name} · ims control board`;
    $('tenant-body').hidden = false;
    showLevel(level);
    renderSystems(level);
    const [history, soa, risks, bia, plan, incidents, findings, actions, awards, docs] = await Promise.all([
      call('ims.v1.Level/GetHistory', { tenant, limit: 1000 }),
      call('ims.v1.Assessments/ListSoA', { tenant, page_size: 1000 }),
      call('ims.v1.Risk/GetRiskRegister', t),
      call('ims.v1.Continuity/GetBia', t),
      call('ims.v1.Level/GetImprovementPlan', { tenant, steps: 10 }),
      call('ims.v1.Events/ListIncidents', { tenant, page_size: 200 }),
      call('ims.v1.Events/ListFindings', { tenant, status: 'open', page_size: 200 }),
      call('ims.v1.Improvement/ListActions', { tenant, status: 'open', page_size: 200 }),
      call('ims.v1.Improvement/ListAwards', { tenant, page_size: 50 }),
      call('ims.v1.Documents/ListDocuments', { tenant, page_size: 200 }),
    ]);
    if (!current || current.tenant !== tenant) return;
    const titles = Object.fromEntries((soa.entries || []).map((e) => [e.control, e.title]));
    renderCosts(level, titles);
    destroyCharts('history');
    historyChart('history', $('history-chart'), history.points || [], level.security_level);
    renderHeatmap(level, soa);
    renderRisks(risks);
    renderBia(bia);
    renderPlan(plan);
    renderEvents(incidents, findings, actions);
    renderActions(actions);
    renderAwards(awards);
    renderDocuments(docs);
    $('tenant-error').textContent = '';
    // The stream moved on while these were read: read again.
    if (Number($('level-value').dataset.revision) > level.revision) schedule(tenant, onError);
  } catch (e) {
    if (!current || current.tenant !== tenant) return;
    if (e.status === 403 || e.status === 404) {
      $('tenant-title').textContent = 'Tenant';
      $('tenant-body').hidden = true;
      $('tenant-error').textContent = 'This tenant is not found or not in your scope.';
      stopLive();
    } else {
      $('tenant-error').textContent = `Cannot read the tenant (${e.message}).`;
    }
    onError(e);
  }
}

function stopLive() {
  if (current && current.stream) { current.stream.stop(); current.stream = null; }
}

function schedule(tenant, onError) {
  if (!current) return;
  clearTimeout(current.timer);
  current.timer = setTimeout(() => load(tenant, onError), 250);
}

export function showTenant(tenant, onError) {
  if (current && current.tenant === tenant) return;
  hideTenant();
  current = { tenant, stream: null, timer: null };
  $('level-value').dataset.revision = '';
  $('tenant-body').hidden = true;
  $('tenant-error').textContent = '';
  $('tenant-title').textContent = 'Tenant';
  const state = $('live-state');
  current.stream = live(tenant, (level) => {
    const shown = $('level-value').dataset.revision;
    showLevel(level);
    // The stream opens with the current level: only a newer one needs the rest read again
    // (before the first read has answered, that read brings it).
    if (shown !== '' && Number(shown) < level.revision) schedule(tenant, onError);
  }, (up) => { state.textContent = up ? '● live' : '○ reconnecting'; });
  load(tenant, onError);
}

export function hideTenant() {
  stopLive();
  if (current) clearTimeout(current.timer);
  current = null;
  destroyCharts('history');
  $('live-state').textContent = '';
}

$('report-button').addEventListener('click', async () => {
  if (!current) return;
  const button = $('report-button');
  button.disabled = true;
  try {
    const blob = await report(current.tenant);
    const a = el('a', { href: URL.createObjectURL(blob), download: `report-${current.tenant}.html` });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  } catch (e) {
    $('tenant-error').textContent = `Cannot make the report (${e.message}).`;
  } finally {
    button.disabled = false;
  }
});
