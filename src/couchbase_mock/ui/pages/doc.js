// One document as JSON with its CAS. Saving sends the CAS it was read with: if
// someone changed the document meanwhile the cluster answers 409 and the page
// shows the conflict instead of overwriting.
import { docsPath, request } from '../api.js';
import { confirmButton, field, h, note } from '../dom.js';
import { docHash } from './documents.js';

export default async function doc(main, params) {
  const where = { bucket: params.get('bucket'), scope: params.get('scope') || '_default',
    collection: params.get('collection') || '_default' };
  const creating = params.get('new') === '1';
  const base = docsPath(where.bucket, where.scope, where.collection);
  const idIn = h('input', { name: 'id', required: true, value: params.get('id') || '', readonly: !creating });
  const editor = h('textarea', { name: 'json', class: 'editor', spellcheck: 'false', rows: 18 });
  const casOut = h('output', { name: 'cas' }, '');
  const status = h('div', { class: 'status' });
  let cas = '';

  const load = async () => {
    const found = await request('GET', `${base}/${encodeURIComponent(idIn.value)}`, { raw: true });
    if (found.status !== 200) {
      status.replaceChildren(note(`Document ${idIn.value} not found`));
      return;
    }
    editor.value = JSON.stringify(found.body.json !== undefined ? found.body.json : found.body.base64, null, 2);
    cas = found.body.meta.cas;
    casOut.textContent = cas;
  };

  const save = async (overwrite) => {
    let text;
    try {
      text = JSON.stringify(JSON.parse(editor.value));
    } catch (err) {
      status.replaceChildren(note(`Not valid JSON: ${err.message}`));
      return;
    }
    const form = { value: text };
    if (!creating && !overwrite) form.cas = cas;
    const path = `${base}/${encodeURIComponent(idIn.value)}`;
    const answer = await request('POST', path, { form, raw: true });
    if (answer.status === 409) {
      status.replaceChildren(h('div', { class: 'msg error conflict', role: 'alert' },
        h('strong', null, 'Conflict: '),
        `the document changed since you opened it (your CAS ${cas}, now ${answer.body.cas}).`,
        h('span', { class: 'actions' },
          h('button', { type: 'button', onclick: async () => { await load(); status.replaceChildren(note('Reloaded the current version', 'ok')); } }, 'Load current version'),
          h('button', { type: 'button', class: 'danger', onclick: () => save(true) }, 'Overwrite'))));
      return;
    }
    if (answer.status !== 200) {
      status.replaceChildren(note(`Save failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`));
      return;
    }
    cas = answer.body.meta.cas;
    casOut.textContent = cas;
    status.replaceChildren(note(`Saved ${idIn.value}`, 'ok'));
    if (creating) location.hash = docHash('doc', where, { id: idIn.value });
  };

  const remove = async () => {
    const answer = await request('DELETE', `${base}/${encodeURIComponent(idIn.value)}?cas=${cas}`, { raw: true });
    if (answer.status === 200) {
      location.hash = docHash('documents', where);
    } else {
      status.replaceChildren(note(answer.status === 409 ? 'Conflict: the document changed; reload it first'
        : `Delete failed: HTTP ${answer.status}`));
    }
  };

  main.append(
    h('p', { class: 'crumbs' }, h('a', { href: docHash('documents', where) }, `${where.bucket} › ${where.scope} › ${where.collection}`)),
    h('h1', null, creating ? 'New document' : idIn.value),
    h('form', { class: 'doc-form', onsubmit: (e) => { e.preventDefault(); save(false); } },
      field('Document ID', idIn),
      creating ? null : h('p', { class: 'meta' }, 'CAS ', casOut),
      editor,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'),
        creating ? null : confirmButton('Delete', remove))),
    status);
  if (creating) editor.value = '{\n  \n}';
  else await load();
  return null;
}
