// Copyright: (c) 2026, taskguard contributors
// GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
// Minimal DOM stand-in to exercise drift.html's inline script under node (no browser here).
// stdin: JSON {script, rows: [{rank, kind, cells: [text...]}]}; stdout: JSON of observations.
'use strict';
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
function el(props) {
  const listeners = {};
  return Object.assign({
    style: {}, attrs: {}, listeners,
    getAttribute(n) { return n in this.attrs ? this.attrs[n] : null; },
    addEventListener(t, f) { (listeners[t] = listeners[t] || []).push(f); },
    fire(t) { (listeners[t] || []).forEach((f) => f()); },
  }, props);
}
function classList() {
  const s = new Set();
  return { add: (...c) => c.forEach((x) => s.add(x)), remove: (...c) => c.forEach((x) => s.delete(x)), contains: (c) => s.has(c) };
}
const rows = input.rows.map((r) => {
  const cells = r.cells.map((t, i) => el({ textContent: t, attrs: i === 0 ? { 'data-sort': String(r.rank) } : {} }));
  return el({ attrs: { 'data-rank': String(r.rank), 'data-kind': r.kind }, cells, textContent: r.cells.join(' ') });
});
const body = { rows: rows.slice(), appendChild(r) { this.rows = this.rows.filter((x) => x !== r).concat([r]); } };
const heads = input.rows[0].cells.map(() => el({ classList: classList() }));
const ids = {
  findings: { tBodies: [body], tHead: { rows: [{ cells: heads }] } },
  q: el({ value: '' }), sev: el({ value: '0' }), kind: el({ value: '' }), count: { textContent: '' },
};
global.document = { getElementById: (id) => ids[id] || null };
eval(input.script);  // the page's own script, unchanged
const shown = () => body.rows.filter((r) => r.style.display !== 'none').length;
const out = { initial: ids.count.textContent };
ids.sev.value = '3'; ids.sev.fire('change'); out.high = [ids.count.textContent, shown()];
ids.sev.value = '0'; ids.kind.value = 'hidden'; ids.kind.fire('change'); out.kind = [ids.count.textContent, shown()];
ids.kind.value = ''; ids.q.value = 'SRV01'; ids.q.fire('input'); out.search = [ids.count.textContent, shown()];
ids.q.value = ''; ids.q.fire('input');
heads[1].fire('click'); out.sortHostAsc = body.rows.map((r) => r.cells[1].textContent);
heads[1].fire('click'); out.sortHostDesc = body.rows.map((r) => r.cells[1].textContent);
heads[0].fire('click'); out.sortSevAsc = body.rows.map((r) => r.cells[0].getAttribute('data-sort'));
process.stdout.write(JSON.stringify(out));
