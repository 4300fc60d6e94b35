// The console's shell: the session, the navigation and a hash router that
// shows one page module at a time (pages/*.js).
import { get, onUnauthorized, post } from './api.js';
import { note } from './dom.js';
import buckets from './pages/buckets.js';
import dashboard from './pages/dashboard.js';
import doc from './pages/doc.js';
import documents from './pages/documents.js';
import indexes from './pages/indexes.js';
import login from './pages/login.js';
import query from './pages/query.js';
import views from './pages/views.js';

const PAGES = { login, dashboard, buckets, documents, doc, query, views, indexes };
const TITLES = { doc: 'Document', query: 'Query workbench' };
const state = { user: undefined, stop: null, seq: 0 };

function route() {
  const [path, qs] = location.hash.replace(/^#\/?/, '').split('?');
  const name = PAGES[path] ? path : 'dashboard';
  return { name, params: new URLSearchParams(qs || '') };
}

function showShell(loggedIn) {
  document.getElementById('nav').hidden = !loggedIn;
  document.getElementById('logout').hidden = !loggedIn;
  document.getElementById('who').textContent = loggedIn ? state.user : '';
}

async function render() {
  const seq = ++state.seq;
  if (state.stop) { state.stop(); state.stop = null; }
  const { name, params } = route();
  if (state.user === undefined) state.user = (await get('/uisession')).user;
  if (seq !== state.seq) return;
  if (!state.user && name !== 'login') {
    location.hash = '#/login';
    return;
  }
  showShell(Boolean(state.user));
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', link.getAttribute('href') === `#/${name === 'doc' ? 'documents' : name}`);
  }
  const main = document.getElementById('content');
  main.replaceChildren();
  const title = TITLES[name] || name[0].toUpperCase() + name.slice(1);
  document.title = `${title} · Couchbase local cluster`;
  try {
    const stop = await PAGES[name](main, params, { loggedIn: (user) => { state.user = user; } });
    if (seq === state.seq) state.stop = stop || null;
    else if (stop) stop();
  } catch (err) {
    if (err.status !== 401) main.append(note(err.message));
  }
}

onUnauthorized(() => {
  state.user = null;
  if (route().name !== 'login') location.hash = '#/login';
});

document.getElementById('logout').addEventListener('click', async () => {
  await post('/uilogout', {});
  state.user = null;
  location.hash = '#/login';
});

window.addEventListener('hashchange', render);
render();
