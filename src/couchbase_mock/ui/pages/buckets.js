// Buckets: list, create, flush, delete; sample buckets installed with progress
// read from /pools/default/tasks.
import { bucketPath, get, post, request } from '../api.js';
import { bytes, confirmButton, field, h, note, table } from '../dom.js';

export default async function buckets(main) {
  const status = h('div', { class: 'status' });
  const list = h('div');
  const samples = h('div');
  let timer = null;

  const show = async () => {
    const all = await get('/pools/default/buckets');
    list.replaceChildren(all.length ? table(['Bucket', 'Type', 'Items', 'RAM quota', ''],
      all.map((b) => [
        h('a', { href: `#/documents?bucket=${encodeURIComponent(b.name)}` }, b.name),
        b.bucketType === 'membase' ? 'couchbase' : b.bucketType || '', b.basicStats ? String(b.basicStats.itemCount) : '',
        b.quota ? bytes(b.quota.rawRAM || b.quota.ram) : '',
        h('span', { class: 'actions' },
          b.controllers && b.controllers.flush ? confirmButton('Flush', async () => {
            await act(() => post(`${bucketPath(b.name)}/controller/doFlush`, {}), `Flushed ${b.name}`);
          }) : null,
          confirmButton('Delete', async () => {
            await act(() => request('DELETE', bucketPath(b.name)), `Deleted ${b.name}`);
          })),
      ])) : h('p', null, 'No buckets.'));
    const offered = await get('/sampleBuckets');
    samples.replaceChildren(table(['Sample', ''], offered.map((s) => [s.name,
      s.installed ? 'installed' : h('button', { type: 'button', 'data-sample': s.name,
        onclick: () => install(s.name) }, 'Install')])));
  };

  const act = async (work, done) => {
    try {
      await work();
      status.replaceChildren(note(done, 'ok'));
    } catch (err) {
      status.replaceChildren(note(err.message));
    }
    await show();
  };

  const watch = async () => {
    const tasks = await get('/pools/default/tasks');
    const loading = tasks.filter((t) => t.type === 'loadingSampleBucket');
    if (!loading.length) {
      clearInterval(timer);
      timer = null;
      status.replaceChildren(note('Sample installed', 'ok'));
      await show();
      return;
    }
    status.replaceChildren(...loading.map((t) => {
      const total = t.docsTotal || 1;
      const done = t.docsLoaded || 0;
      return h('div', { class: 'progress-row' }, `Loading ${t.bucket}: ${done} / ${total}`,
        h('progress', { max: total, value: done }));
    }));
  };

  const install = async (name) => {
    try {
      await request('POST', '/sampleBuckets/install', { json: [name] });
    } catch (err) {
      status.replaceChildren(note(err.message));
      return;
    }
    status.replaceChildren(note(`Installing ${name}…`, 'ok'));
    if (!timer) timer = setInterval(() => { watch().catch(() => {}); }, 500);
  };

  const name = h('input', { name: 'name', required: true, pattern: '[A-Za-z0-9_.%\\-]+' });
  const quota = h('input', { name: 'ramQuota', type: 'number', min: 100, value: '100' });
  const type = h('select', { name: 'bucketType' },
    ['couchbase', 'ephemeral', 'memcached'].map((t) => h('option', { value: t }, t)));
  const flush = h('input', { name: 'flushEnabled', type: 'checkbox', checked: true });
  const create = h('form', { class: 'card inline-form', onsubmit: async (event) => {
    event.preventDefault();
    await act(() => post('/pools/default/buckets', { name: name.value, ramQuota: quota.value,
      bucketType: type.value, flushEnabled: flush.checked ? '1' : '0' }), `Created ${name.value}`);
  } }, h('h2', null, 'Add bucket'), field('Name', name), field('RAM quota (MiB)', quota),
  field('Type', type), field('Flush enabled', flush), h('button', { type: 'submit' }, 'Create'));

  main.append(h('h1', null, 'Buckets'), status, list, create,
    h('section', null, h('h2', null, 'Sample buckets'), samples));
  await show();
  return () => { if (timer) clearInterval(timer); };
}
