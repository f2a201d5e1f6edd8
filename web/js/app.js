// The board's shell: sign-in, the views (#/portfolio, #/tenant/ID) and signing out.
import { call, token, setToken, clearToken, ApiError } from './api.js';
import { showPortfolio, hidePortfolio } from './portfolio.js';
import { showTenant, hideTenant } from './tenant.js';

const views = ['signin-view', 'portfolio-view', 'tenant-view'];
const state = { tenants: null, canPortfolio: false };

function show(id) {
  for (const v of views) document.getElementById(v).hidden = v !== id;
  document.getElementById('nav').hidden = id === 'signin-view';
  document.getElementById('nav-portfolio').hidden = !state.canPortfolio;
}

function signIn(message) {
  hidePortfolio();
  hideTenant();
  state.tenants = null;
  show('signin-view');
  document.getElementById('signin-error').textContent = message || '';
  document.getElementById('token').focus();
}

// What the token may see: its tenants, and whether it has a portfolio.
async function discover() {
  const list = await call('ims.v1.Tenants/ListTenants', { page_size: 1000 });
  state.tenants = list.tenants || [];
  try {
    await call('ims.v1.Portfolio/GetPortfolio', { days: 1 });
    state.canPortfolio = true;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 403) throw e;
    state.canPortfolio = false;
  }
}

async function route() {
  if (!token()) { signIn(); return; }
  try {
    if (!state.tenants) await discover();
  } catch (e) {
    clearToken();
    signIn(e.status === 401 ? 'This token was not accepted (unknown, expired or revoked).'
                            : `The board cannot reach imsd (${e.message}).`);
    return;
  }
  const hash = location.hash || '#/';
  const m = hash.match(/^#\/tenant\/([A-Za-z0-9-]{1,100})$/);
  if (m) {
    hidePortfolio();
    show('tenant-view');
    showTenant(m[1], (err) => { if (err && err.status === 401) { clearToken(); signIn('Signed out: the token is no longer accepted.'); } });
    return;
  }
  hideTenant();
  if (state.canPortfolio) {
    show('portfolio-view');
    showPortfolio();
    return;
  }
  if (state.tenants.length) {
    location.replace(`#/tenant/${state.tenants[0].id}`);
    return;
  }
  signIn('This token sees no tenant.');
}

document.getElementById('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = document.getElementById('token');
  const t = input.value.trim();
  input.value = '';
  if (!t) return;
  setToken(t);
  state.tenants = null;
  route();
});

document.getElementById('sign-out').addEventListener('click', () => {
  clearToken();
  location.hash = '#/';
  signIn('Signed out.');
});

window.addEventListener('hashchange', route);
route();
