// Documents of one collection, by key, with paging; each opens in the editor.
import { bucketNames, bucketPath, docsPath, get } from '../api.js';
import { field, h, note, table } from '../dom.js';

export function docHash(page, where, extra = {}) {
  const params = new URLSearchParams({ ...where, ...extra });
  return `#/${page}?${params}`;
}

export default async function documents(main, params) {
  const names = await bucketNames();
  if (!names.length) {
    main.append(h('h1', null, 'Documents'), note('No buckets: create one first.', 'info'));
    return null;
  }
  const where = {
    bucket: params.get('bucket') || names[0],
    scope: params.get('scope') || '_default',
    collection: params.get('collection') || '_default',
  };
  const prefix = params.get('prefix') || '';
  const limit = Number(params.get('limit') || 20);
  const skip = Number(params.get('skip') || 0);
  const manifest = await get(`${bucketPath(where.bucket)}/scopes`);
  const scope = manifest.scopes.find((s) => s.name === where.scope) || manifest.scopes[0];
  const go = (changes) => { location.hash = docHash('documents', { ...where, prefix, limit, skip: 0, ...changes }); };

  const bucketSel = h('select', { name: 'bucket', onchange: () => go({ bucket: bucketSel.value, scope: '_default', collection: '_default' }) },
    names.map((n) => h('option', { value: n, selected: n === where.bucket }, n)));
  const scopeSel = h('select', { name: 'scope', onchange: () => go({ scope: scopeSel.value, collection: '' }) },
    manifest.scopes.map((s) => h('option', { value: s.name, selected: s.name === where.scope }, s.name)));
  const collSel = h('select', { name: 'collection', onchange: () => go({ collection: collSel.value }) },
    scope.collections.map((c) => h('option', { value: c.name, selected: c.name === where.collection }, c.name)));
  if (!scope.collections.some((c) => c.name === where.collection) && scope.collections.length) {
    where.collection = scope.collections[0].name;
  }
  const prefixIn = h('input', { name: 'prefix', type: 'search', value: prefix, placeholder: 'ID starts with' });
  const limitSel = h('select', { name: 'limit', onchange: () => go({ limit: limitSel.value }) },
    [10, 20, 50, 100].map((n) => h('option', { value: n, selected: n === limit }, String(n))));
  const filter = h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); go({ prefix: prefixIn.value }); } },
    field('Bucket', bucketSel), field('Scope', scopeSel), field('Collection', collSel),
    field('Document ID', prefixIn), field('Per page', limitSel),
    h('button', { type: 'submit' }, 'Find'),
    h('a', { class: 'button', href: docHash('doc', where, { new: '1' }) }, 'New document'));

  const query = new URLSearchParams({ skip, limit });
  if (prefix) {
    query.set('startkey', JSON.stringify(prefix));
    query.set('endkey', JSON.stringify(`${prefix}\uefff`));
  }
  const listing = await get(`${docsPath(where.bucket, where.scope, where.collection)}?${query}`);
  const rows = listing.rows.map((r) => [
    h('a', { href: docHash('doc', where, { id: r.id }) }, r.id),
    h('code', { class: 'snippet' }, JSON.stringify(r.doc.json !== undefined ? r.doc.json : r.doc.base64).slice(0, 120)),
  ]);
  const pager = h('div', { class: 'pager' },
    h('button', { type: 'button', disabled: skip === 0, onclick: () => go({ skip: Math.max(0, skip - limit) }) }, '‹ Previous'),
    h('span', null, listing.total_rows ? `${skip + 1}–${Math.min(skip + limit, listing.total_rows)} of ${listing.total_rows}` : 'No documents'),
    h('button', { type: 'button', disabled: skip + limit >= listing.total_rows, onclick: () => go({ skip: skip + limit }) }, 'Next ›'));
  main.append(h('h1', null, 'Documents'), filter, table(['ID', 'Content'], rows), pager);
  return null;
}
