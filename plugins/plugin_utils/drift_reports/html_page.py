# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.html: one self-contained page for analysts.

No external resource; a Content-Security-Policy meta tag allows only the page's
own inline style and script (by SHA-256 hash), so even a string that escaped
escaping could not run. The table is rendered on the server side with every
string HTML-escaped; the inline script only sorts and filters rows (it reads
``textContent``/``data-*`` and never writes HTML). Links are emitted only for
http(s) reference URLs of the rule files.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import hashlib
import html

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import (
    one_line, sorted_findings, to_json, visible,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import SEVERITY_RANK

MAX_ROWS = 20000

_STYLE = """
body{font:14px/1.4 system-ui,Segoe UI,Arial,sans-serif;margin:1.5em;color:#1b1b1b}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0;cursor:pointer;user-select:none}th.sorted-asc::after{content:" \\25B2"}th.sorted-desc::after{content:" \\25BC"}
.sev{font-weight:bold;border-radius:3px;padding:1px 5px}.sev-critical{background:#7b0000;color:#fff}.sev-high{background:#c62828;color:#fff}
.sev-medium{background:#ef8c00;color:#000}.sev-low{background:#fdd835;color:#000}.sev-info{background:#ddd;color:#000}
.controls{margin:1em 0;display:flex;gap:1em;flex-wrap:wrap}
pre{white-space:pre-wrap;word-break:break-all;max-height:30em;overflow:auto;background:#f7f7f7;padding:6px}
td.path{font-family:Consolas,monospace;word-break:break-all}.muted{color:#666}
"""

_SCRIPT = """
(function(){
var table=document.getElementById('findings');if(!table){return;}
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
var q=document.getElementById('q'),sev=document.getElementById('sev'),kind=document.getElementById('kind'),count=document.getElementById('count');
function apply(){var text=q.value.toLowerCase(),min=parseInt(sev.value,10),k=kind.value,n=0;
rows.forEach(function(r){var ok=(parseInt(r.getAttribute('data-rank'),10)>=min)&&(!k||r.getAttribute('data-kind')===k)&&
(!text||r.textContent.toLowerCase().indexOf(text)>=0);
r.style.display=ok?'':'none';if(ok){n++;}});count.textContent=String(n);}
[q,sev,kind].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
var heads=table.tHead.rows[0].cells;
Array.prototype.forEach.call(heads,function(th,i){th.addEventListener('click',function(){
var asc=!th.classList.contains('sorted-asc');Array.prototype.forEach.call(heads,function(h){h.classList.remove('sorted-asc','sorted-desc');});
th.classList.add(asc?'sorted-asc':'sorted-desc');
rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-sort')||a.cells[i].textContent,y=b.cells[i].getAttribute('data-sort')||b.cells[i].textContent;
var nx=parseFloat(x),ny=parseFloat(y);var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c;});
rows.forEach(function(r){body.appendChild(r);});});});
apply();})();
"""


def _hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def esc(value, limit=None):
    text = visible(value)
    if limit and len(text) > limit:
        text = text[:limit] + "..."
    return html.escape(text, quote=True)


def _link(ref):
    url = str(ref.get("url") or "")
    title = esc(ref.get("title") or url)
    if url.lower().startswith(("https://", "http://")) and not any(c in url for c in "\"'<> \t\r\n\\"):
        return '<a href="%s" rel="noopener noreferrer">%s</a>' % (html.escape(url, quote=True), title)
    return "%s %s" % (title, esc(url)) if url else title


def _reasons(finding):
    items = []
    for r in finding.get("reasons") or []:
        if not isinstance(r, dict):
            continue
        refs = "; ".join(_link(ref) for ref in (r.get("references") or []) if isinstance(ref, dict))
        mitre = ", ".join(esc(m) for m in (r.get("mitre") or []))
        items.append("<li><b>%s</b> [%s] %s%s%s</li>" % (
            esc(r.get("rule")), esc(r.get("severity")), esc(r.get("title")),
            (" <span class=muted>(%s)</span>" % mitre) if mitre else "", ("<br>" + refs) if refs else ""))
    return "<ul>%s</ul>" % "".join(items) if items else ""


def _details(finding):
    parts = [_reasons(finding)]
    if finding.get("diff"):
        parts.append("<b>Differences from the inventory entry</b><pre>%s</pre>" % esc(to_json(finding["diff"], indent=1)))
    if finding.get("proposed_entry"):
        parts.append("<b>Proposed inventory entry</b><pre>%s</pre>" % esc(to_json(finding["proposed_entry"], indent=1)))
    parts.append("<b>Evidence</b><pre>%s</pre>" % esc(to_json(finding.get("evidence"), indent=1), 100000))
    return "<details><summary>details</summary>%s</details>" % "".join(parts)


def _compliance(doc):
    """Hardening compliance per host (when the run included it)."""
    hosts = [(h, e["compliance"]) for h, e in (doc.get("hosts") or {}).items() if isinstance(e.get("compliance"), dict)]
    if not hosts:
        return []
    out = ["<h2>Hardening compliance</h2><table><thead><tr><th>host</th><th>report</th><th>control</th>"
           "<th>status</th><th>detail</th></tr></thead><tbody>"]
    for host, c in hosts:
        controls = c.get("controls") or []
        if not controls:
            out.append("<tr><td>%s</td><td>%s</td><td colspan=3>%s</td></tr>" % (
                esc(host), esc(c.get("status")), esc(c.get("error") or "no compliance report for this host", 500)))
        for x in controls:
            out.append("<tr><td>%s</td><td>%s</td><td>%s %s</td><td>%s</td><td>%s</td></tr>" % (
                esc(host), esc(c.get("status")), esc(x.get("id")), esc(x.get("name")), esc(x.get("status")),
                esc(x.get("detail") or "", 500)))
    out.append("</tbody></table>")
    return out


def render(doc):
    s = doc.get("summary") or {}
    run = doc.get("run") or {}
    style, script = _STYLE, _SCRIPT
    csp = ("default-src 'none'; script-src %s; style-src %s; img-src 'none'; base-uri 'none'; form-action 'none'"
           % (_hash(script), _hash(style)))
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="%s">' % html.escape(csp, quote=True),
           '<meta name="referrer" content="no-referrer">',
           "<title>taskguard drift report</title><style>%s</style></head><body>" % style,
           "<h1>Scheduled task drift report</h1>",
           "<p>Run <code>%s</code>, generated %s. Hosts: <b>%d</b>, findings: <b>%d</b>, highest severity: <b>%s</b>.</p>" % (
               esc(run.get("id")), esc(run.get("generated_at")), s.get("hosts", 0), s.get("findings", 0),
               esc(s.get("highest_severity") or "none"))]
    sev_counts = s.get("by_severity") or {}
    out.append("<p>" + " ".join('<span class="sev sev-%s">%s: %d</span>' % (esc(k), esc(k), sev_counts.get(k, 0))
                                for k in ("critical", "high", "medium", "low", "info")) + "</p>")
    out.append("<h2>Hosts</h2><table><thead><tr><th>host</th><th>status</th><th>findings</th><th>highest</th><th>message</th></tr></thead><tbody>")
    for host, entry in (doc.get("hosts") or {}).items():
        hs = entry.get("summary") or {}
        out.append("<tr><td>%s</td><td>%s</td><td>%d</td><td>%s</td><td>%s</td></tr>" % (
            esc(host), esc(entry.get("status")), hs.get("findings", 0), esc(hs.get("highest_severity") or "-"),
            esc(entry.get("message") or "", 500)))
    out.append("</tbody></table>")
    out.extend(_compliance(doc))
    rows = sorted_findings(doc)
    kinds = sorted({str(f.get("kind")) for _h, _e, f in rows})
    out.append('<h2>Findings</h2><div class="controls"><label>Search <input id="q" type="search"></label>'
               '<label>Minimum severity <select id="sev"><option value="0">info</option><option value="1">low</option>'
               '<option value="2">medium</option><option value="3">high</option><option value="4">critical</option></select></label>'
               '<label>Kind <select id="kind"><option value="">all</option>%s</select></label>'
               '<span>shown: <b id="count">%d</b></span></div>' % (
                   "".join('<option value="%s">%s</option>' % (esc(k), esc(k)) for k in kinds), len(rows)))
    out.append('<table id="findings"><thead><tr><th>severity</th><th>host</th><th>kind</th><th>task</th>'
               '<th>title</th><th>entry</th><th>details</th></tr></thead><tbody>')
    for host, _entry, f in rows[:MAX_ROWS]:
        sev = str(f.get("severity"))
        src = f.get("entry") or {}
        where = "%s:%s" % (src.get("file"), src.get("line")) if src else ""
        out.append('<tr data-rank="%d" data-kind="%s"><td data-sort="%d"><span class="sev sev-%s">%s</span></td>'
                   '<td>%s</td><td>%s</td><td class="path">%s</td><td>%s</td><td class="path">%s</td><td>%s</td></tr>' % (
                       SEVERITY_RANK.get(sev, 0), esc(f.get("kind")), SEVERITY_RANK.get(sev, 0), esc(sev), esc(sev),
                       esc(host), esc(f.get("kind")), esc(f.get("task") or "-"), esc(one_line(f.get("title"), 500)),
                       esc(where), _details(f)))
    out.append("</tbody></table>")
    if len(rows) > MAX_ROWS:
        out.append("<p>%d more findings in drift.json.</p>" % (len(rows) - MAX_ROWS))
    out.append("<script>%s</script></body></html>" % script)
    return "\n".join(out).encode("utf-8")
