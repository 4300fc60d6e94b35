// Indexes, as system:indexes lists them.
import { query } from '../api.js';
import { h, note, table } from '../dom.js';

export default async function indexes(main) {
  main.append(h('h1', null, 'Indexes'));
  const answer = await query('SELECT idx.* FROM system:indexes AS idx ORDER BY idx.keyspace_id, idx.name');
  if (answer.errors) {
    main.append(note(answer.errors.map((e) => e.msg).join('; ')));
    return null;
  }
  const rows = answer.results.map((i) => [
    i.name, [i.bucket_id || i.keyspace_id, i.scope_id, i.bucket_id ? i.keyspace_id : null].filter(Boolean).join('.'),
    i.is_primary ? '(primary)' : (i.index_key || []).join(', '), i.condition || '', i.state, i.using]);
  main.append(rows.length ? table(['Name', 'Keyspace', 'Keys', 'Where', 'State', 'Using'], rows)
    : h('p', null, 'No indexes.'));
  return null;
}
