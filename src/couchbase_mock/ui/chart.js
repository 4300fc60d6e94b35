// A small SVG line chart: one series over time, scaled to its own range.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 120;

function svg(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function lineChart(title, values, format = (v) => String(Math.round(v))) {
  const max = Math.max(1, ...values);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
    'aria-label': title });
  root.append(svg('line', { x1: 0, y1: H - 1, x2: W, y2: H - 1, class: 'axis' }));
  const series = values.length === 1 ? [values[0], values[0]] : values; // one sample: a level line
  if (series.length > 1) {
    const step = W / (series.length - 1);
    const points = series.map((v, i) =>
      `${(i * step).toFixed(1)},${(H - 4 - (v / max) * (H - 16)).toFixed(1)}`);
    root.append(svg('polyline', { points: points.join(' '), class: 'series' }));
  }
  const last = values.length ? values[values.length - 1] : 0;
  return h('figure', { class: 'card chart-card' },
    h('figcaption', null, h('strong', null, title), ` ${format(last)}`,
      h('small', null, ` (max ${format(max)})`)),
    root);
}
