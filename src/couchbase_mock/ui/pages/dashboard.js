// Nodes, buckets, and each bucket's mutations/s and memory over the last minutes.
import { bucketPath, get } from '../api.js';
import { lineChart } from '../chart.js';
import { bytes, h, table } from '../dom.js';

const POLL_MS = 2000;

export default async function dashboard(main) {
  const [pool, buckets] = await Promise.all([get('/pools/default'), get('/pools/default/buckets')]);
  const charts = h('div', { class: 'charts' });
  main.append(
    h('h1', null, 'Dashboard'),
    h('section', null, h('h2', null, `Nodes (${pool.nodes.length})`),
      table(['Node', 'Status', 'Services', 'Version'], pool.nodes.map((n) => [
        n.hostname, n.status, (n.services || []).join(', '), n.version || '']))),
    h('section', null, h('h2', null, `Buckets (${buckets.length})`),
      table(['Bucket', 'Type', 'Items', 'RAM quota per node'], buckets.map((b) => [
        b.name, b.bucketType === 'membase' ? 'couchbase' : b.bucketType || '', b.basicStats ? b.basicStats.itemCount : '',
        b.quota ? bytes(b.quota.rawRAM || b.quota.ram) : '']))),
    h('section', null, h('h2', null, 'Activity'), charts));
  const draw = async () => {
    const cards = [];
    for (const b of buckets) {
      const stats = await get(`${bucketPath(b.name)}/stats`);
      const s = stats.op.samples;
      cards.push(h('div', { class: 'bucket-charts' }, h('h3', null, b.name),
        lineChart('Ops/s (mutations)', s.ops, (v) => v.toFixed(1)),
        lineChart('Memory', s.mem_used, bytes),
        lineChart('Items', s.curr_items)));
    }
    charts.replaceChildren(...cards);
    if (!cards.length) charts.append(h('p', null, 'No buckets yet.'));
  };
  await draw();
  const timer = setInterval(() => { draw().catch(() => {}); }, POLL_MS);
  return () => clearInterval(timer);
}
