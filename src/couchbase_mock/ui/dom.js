// Small DOM helpers: elements built with textContent only (no HTML strings).

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'disabled') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function note(text, kind = 'error') {
  return h('p', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function table(columns, rows, className = 'grid') {
  return h('div', { class: 'scroll' },
    h('table', { class: className },
      h('thead', null, h('tr', null, columns.map((c) => h('th', null, c)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((c) => h('td', null, c)))))));
}

// A button that asks to be clicked twice before it acts (no blocking dialogs).
export function confirmButton(label, action) {
  let armed = false;
  const button = h('button', {
    type: 'button', class: 'danger',
    onclick: async () => {
      if (!armed) {
        armed = true;
        button.textContent = `Confirm ${label.toLowerCase()}`;
        return;
      }
      button.disabled = true;
      await action();
    },
  }, label);
  return button;
}

export function field(label, input) {
  return h('label', { class: 'field' }, h('span', null, label), input);
}

export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}
