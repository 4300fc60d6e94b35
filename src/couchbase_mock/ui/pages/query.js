// The query workbench: a statement, run or explained through the query service;
// results as a table or JSON, the plan, and errors with their position.
import { query } from '../api.js';
import { h, table } from '../dom.js';

const POSITION = /line (\d+), column (\d+)/;
let lastStatement = 'SELECT * FROM `beer-sample` LIMIT 5';

function offsetOf(text, line, column) {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  return Math.min(text.length, offset + Math.max(0, column - 1));
}

function asTable(results) {
  if (!results.length) return h('p', null, 'No results.');
  const objects = results.every((r) => r && typeof r === 'object' && !Array.isArray(r));
  if (!objects) return table(['value'], results.map((r) => [JSON.stringify(r)]));
  const columns = [...new Set(results.flatMap((r) => Object.keys(r)))];
  const cell = (v) => (v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return table(columns, results.map((r) => columns.map((c) => cell(r[c]))));
}

export default async function workbench(main) {
  const editor = h('textarea', { name: 'statement', class: 'editor query-editor', rows: 6,
    spellcheck: 'false', value: lastStatement });
  const out = h('div', { class: 'results' });
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const summary = h('p', { class: 'summary', role: 'status' });
  let views = {};

  const showTab = (name) => {
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.tab === name));
    out.replaceChildren(views[name] || h('p', null, ''));
  };

  const run = async (explain) => {
    lastStatement = editor.value;
    const statement = explain && !/^\s*explain\b/i.test(editor.value) ? `EXPLAIN ${editor.value}` : editor.value;
    summary.textContent = 'Running…';
    const answer = await query(statement);
    const m = answer.metrics || {};
    summary.textContent = `${answer.status}${m.elapsedTime ? ` · ${m.elapsedTime}` : ''}` +
      `${m.resultCount !== undefined ? ` · ${m.resultCount} results` : ''}`;
    views = {};
    if (answer.errors && answer.errors.length) {
      views.Errors = h('div', { class: 'errors' }, answer.errors.map((e) => {
        const where = POSITION.exec(e.msg || '');
        if (where) {
          const line = Number(where[1]);
          const shift = line === 1 ? statement.length - editor.value.length : 0; // an added EXPLAIN
          const at = offsetOf(editor.value, line, Number(where[2]) - shift);
          editor.focus();
          editor.setSelectionRange(at, Math.min(editor.value.length, at + 1));
        }
        return h('div', { class: 'msg error', role: 'alert' }, h('strong', null, `${e.code}`),
          ` ${e.msg}`, where ? h('span', { class: 'position' }, ` (line ${where[1]}, column ${where[2]})`) : null);
      }));
    }
    const results = answer.results || [];
    if (explain) {
      views.Plan = h('pre', { class: 'json plan' }, JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
    } else if (!answer.errors) {
      views.Table = asTable(results);
    }
    views.JSON = h('pre', { class: 'json' }, JSON.stringify(results, null, 2));
    tabs.replaceChildren(...Object.keys(views).map((name) =>
      h('button', { type: 'button', role: 'tab', 'data-tab': name, onclick: () => showTab(name) }, name)));
    showTab(Object.keys(views)[0]);
  };

  editor.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(false); }
  });
  main.append(h('h1', null, 'Query workbench'), editor,
    h('div', { class: 'actions' },
      h('button', { type: 'button', onclick: () => run(false) }, 'Execute'),
      h('button', { type: 'button', onclick: () => run(true) }, 'Explain')),
    summary, tabs, out);
  return null;
}
