// Sign in with the cluster's credentials: POST /uilogin sets the session cookie.
import { request } from '../api.js';
import { field, h, note } from '../dom.js';

export default async function login(main, params, app) {
  const user = h('input', { name: 'user', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password',
    autocomplete: 'current-password', required: true });
  const status = h('div');
  const form = h('form', { class: 'card login', onsubmit: async (event) => {
    event.preventDefault();
    const { status: code } = await request('POST', '/uilogin',
      { form: { user: user.value, password: password.value }, raw: true });
    if (code !== 200) {
      status.replaceChildren(note('Invalid username or password'));
      return;
    }
    app.loggedIn(user.value);
    location.hash = '#/dashboard';
  } },
  h('h1', null, 'Sign in'),
  field('Username', user), field('Password', password),
  h('button', { type: 'submit' }, 'Sign in'), status);
  main.append(form);
  user.focus();
}
