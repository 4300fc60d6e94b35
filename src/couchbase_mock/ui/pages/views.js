// Views: design documents of a bucket; edit a view's map/reduce in a development
// design document, run it with parameters, publish it to production.
import { bucketNames, bucketPath, get, request } from '../api.js';
import { confirmButton, field, h, note, table } from '../dom.js';

const MAP = 'function (doc, meta) {\n  emit(meta.id, null);\n}';
const PARAMS = ['key', 'startkey', 'endkey', 'limit', 'skip', 'reduce', 'group', 'group_level',
  'descending', 'stale', 'full_set'];

function capi(bucket, ddoc, rest = '') {
  return `/couchBase/${encodeURIComponent(bucket)}/_design/${encodeURIComponent(ddoc)}${rest}`;
}

export default async function views(main, params) {
  const names = await bucketNames();
  main.append(h('h1', null, 'Views'));
  if (!names.length) {
    main.append(note('No buckets: create one first.', 'info'));
    return null;
  }
  const bucket = params.get('bucket') || names[0];
  const status = h('div', { class: 'status' });
  const listing = await get(`${bucketPath(bucket)}/ddocs`);
  const ddocs = listing.rows.map((r) => ({ id: r.doc.meta.id.replace(/^_design\//, ''), views: r.doc.json.views || {} }));
  const reload = (extra = {}) => {
    location.hash = `#/views?${new URLSearchParams({ bucket, ...extra })}`;
  };
  const bucketSel = h('select', { name: 'bucket', onchange: () => { location.hash = `#/views?bucket=${encodeURIComponent(bucketSel.value)}`; } },
    names.map((n) => h('option', { value: n, selected: n === bucket }, n)));

  // the editor
  const ddocIn = h('input', { name: 'ddoc', required: true, value: params.get('ddoc') || 'dev_' });
  const viewIn = h('input', { name: 'view', required: true, value: params.get('view') || '' });
  const mapIn = h('textarea', { name: 'map', class: 'editor', rows: 6, spellcheck: 'false', value: MAP });
  const reduceIn = h('textarea', { name: 'reduce', class: 'editor', rows: 2, spellcheck: 'false', placeholder: '_count, _sum, _stats or a function' });
  const current = ddocs.find((d) => d.id === ddocIn.value);
  if (current && current.views[viewIn.value]) {
    mapIn.value = current.views[viewIn.value].map;
    reduceIn.value = current.views[viewIn.value].reduce || '';
  }
  const save = async (event) => {
    event.preventDefault();
    let name = ddocIn.value.trim();
    if (!name.startsWith('dev_')) name = `dev_${name}`;
    const existing = ddocs.find((d) => d.id === name);
    const body = { views: { ...(existing ? existing.views : {}) } };
    body.views[viewIn.value.trim()] = reduceIn.value.trim()
      ? { map: mapIn.value, reduce: reduceIn.value.trim() } : { map: mapIn.value };
    try {
      await request('PUT', capi(bucket, name), { json: body });
      reload({ ddoc: name, view: viewIn.value.trim(), saved: '1' });
    } catch (err) {
      status.replaceChildren(note(err.message));
    }
  };
  const editor = h('form', { class: 'card view-editor', onsubmit: save },
    h('h2', null, 'Edit view'), field('Design document', ddocIn), field('View', viewIn),
    field('Map', mapIn), field('Reduce', reduceIn), h('button', { type: 'submit' }, 'Save view'));

  // running a view
  const inputs = Object.fromEntries(PARAMS.map((p) => [p, h('input', { name: p, placeholder: p === 'stale' ? 'false' : '' })]));
  const results = h('div', { class: 'view-results' });
  const run = async (ddoc, view) => {
    const qs = new URLSearchParams();
    for (const p of PARAMS) if (inputs[p].value.trim()) qs.set(p, inputs[p].value.trim());
    if (!qs.has('stale')) qs.set('stale', 'false');
    if (!qs.has('limit')) qs.set('limit', '50');
    const answer = await request('GET', capi(bucket, ddoc, `/_view/${encodeURIComponent(view)}?${qs}`), { raw: true });
    if (answer.status !== 200) {
      results.replaceChildren(note(`${answer.body.error}: ${answer.body.reason}`));
      return;
    }
    const rows = answer.body.rows || [];
    results.replaceChildren(h('h3', null, `${ddoc}/${view}: ${rows.length} rows` +
      (answer.body.total_rows !== undefined ? ` of ${answer.body.total_rows}` : '')),
    table(['Key', 'Value', 'ID'], rows.map((r) => [JSON.stringify(r.key), JSON.stringify(r.value), r.id || ''])));
  };
  const publish = async (ddoc) => {
    const body = await get(capi(bucket, ddoc));
    await request('PUT', capi(bucket, ddoc.replace(/^dev_/, '')), { json: body });
    reload({ published: ddoc.replace(/^dev_/, '') });
  };

  const rows = [];
  for (const d of ddocs) {
    for (const v of Object.keys(d.views)) {
      rows.push([d.id, v, h('span', { class: 'actions' },
        h('button', { type: 'button', onclick: () => run(d.id, v) }, 'Run'),
        h('a', { class: 'button', href: `#/views?${new URLSearchParams({ bucket, ddoc: d.id, view: v })}` }, 'Edit'),
        d.id.startsWith('dev_') ? h('button', { type: 'button', onclick: () => publish(d.id) }, 'Publish') : null,
        confirmButton('Delete', async () => { await request('DELETE', capi(bucket, d.id)); reload(); }))]);
    }
  }
  if (params.get('saved')) status.replaceChildren(note(`Saved ${params.get('ddoc')}/${params.get('view')}`, 'ok'));
  if (params.get('published')) status.replaceChildren(note(`Published ${params.get('published')}`, 'ok'));
  main.append(h('div', { class: 'toolbar' }, field('Bucket', bucketSel)), status,
    rows.length ? table(['Design document', 'View', ''], rows) : h('p', null, 'No design documents yet.'),
    h('details', { class: 'card params', open: true }, h('summary', null, 'Query parameters'),
      h('div', { class: 'param-grid' }, PARAMS.map((p) => field(p, inputs[p])))),
    results, editor);
  return null;
}
