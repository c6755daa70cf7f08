# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.html: one self-contained page for analysts (docs/reports.md).

First the fleet: hosts grouped by tier in the guideline's priority order, each
with its verdict and the one-line reason. Then one section per host: a task
card per finding (what, who, how it starts, where seen, why it matters, what to
do), what the audit could not see, and the timeline of task events.

No external resource; a Content-Security-Policy meta tag allows only the page's
own inline style and script (by SHA-256 hash), so even a string that escaped
escaping could not run. Everything is rendered on the server side with every
string HTML-escaped; the inline script only filters and opens cards (it reads
``textContent``/``data-*`` and never writes HTML). Links are emitted only for
http(s) reference URLs of the rule files.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import functools
import hashlib
import html

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import batch_rights
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.cards import (
    KIND_ORDER, VERDICT_ORDER, all_views, count_verdicts, event_actor, fleet,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.common import to_json, visible
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.host_version import os_version_text
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import SEVERITY_RANK

MAX_CARDS = 20000
MAX_EVIDENCE_CHARS = 100000

_STYLE = """
body{font:14px/1.5 %(font)s;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:1400px;margin:0 auto;padding:1em 1.5em}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.25em;margin:1.4em 0 .4em;border-bottom:2px solid #ddd}
h3{font-size:1.05em;margin:1em 0 .3em}
table{border-collapse:collapse;width:100%%;background:#fff}th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f0f0f0;white-space:nowrap}
.reasons{margin:.3em 0 .6em 1.2em;padding:0}.reasons li{overflow-wrap:anywhere}
.sev,.verdict,.kind{display:inline-block;font-weight:bold;border-radius:3px;padding:0 6px;white-space:nowrap}
.sev-critical{background:#7b0000;color:#fff}.sev-high{background:#c62828;color:#fff}
.sev-medium{background:#ef8c00;color:#000}.sev-low{background:#fdd835;color:#000}.sev-info{background:#ddd;color:#000}
.v-compromised{background:#7b0000;color:#fff}.v-suspicious{background:#ef8c00;color:#000}
.v-incomplete{background:#5c6bc0;color:#fff}.v-not_audited{background:#424242;color:#fff}.v-clean{background:#2e7d32;color:#fff}
.kind{font-weight:normal;background:#eceff1;color:#263238;margin-left:4px}
.controls{position:sticky;top:0;z-index:2;background:#fafafa;padding:.6em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center;border-bottom:1px solid #ddd}
.controls input[type=search]{width:16em}
.host{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.2em 1em 1em;margin:1.2em 0}
.host h2{border:0;margin:.6em 0 .2em}
details.card{border:1px solid #ccc;border-left:6px solid #999;border-radius:4px;margin:.6em 0;background:#fff}
details.card.sev-critical,details.card.sev-high,details.card.sev-medium,details.card.sev-low,details.card.sev-info{background:#fff;color:inherit}
details.card.sev-critical{border-left-color:#7b0000}details.card.sev-high{border-left-color:#c62828}
details.card.sev-medium{border-left-color:#ef8c00}details.card.sev-low{border-left-color:#fdd835}
details.card>summary{cursor:pointer;padding:.4em .6em;list-style-position:inside}
details.card>summary .path{font-weight:bold}
.card-body{padding:.2em 1em .8em;display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:.4em 2em}
.card-body section{min-width:0;overflow-wrap:anywhere}.card-body section.wide{grid-column:1/-1}
.card-body h4{margin:.6em 0 .2em;font-size:.95em;color:#37474f;text-transform:none}
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:2px 10px}dt{color:#555}dd{margin:0;min-width:0;overflow-wrap:anywhere}
code,.code{font-family:Consolas,"Cascadia Mono","Noto Sans Mono CJK JP",monospace;background:#f3f3f3;padding:0 3px;overflow-wrap:anywhere}
.todo ol{margin:.2em 0 .4em 1.4em;padding:0}.todo li{margin:.15em 0}
.rules li{margin:.2em 0}.muted{color:#666}.desc{color:#444;font-size:.95em}
pre{white-space:pre-wrap;word-break:break-all;max-height:30em;overflow:auto;background:#f7f7f7;padding:6px}
.reason{overflow-wrap:anywhere}td.num{text-align:right}
.hidden-by-filter{display:none}
"""

_SCRIPT = """
(function(){
var cards=Array.prototype.slice.call(document.querySelectorAll('details.card'));
var hosts=Array.prototype.slice.call(document.querySelectorAll('section.host'));
var q=document.getElementById('q'),sev=document.getElementById('sev'),kind=document.getElementById('kind'),
verdict=document.getElementById('verdict'),count=document.getElementById('count');
function apply(){var text=q.value.toLowerCase(),min=parseInt(sev.value,10),k=kind.value,v=verdict.value,n=0;
cards.forEach(function(c){var ok=(parseInt(c.getAttribute('data-rank'),10)>=min)&&
(!k||(' '+c.getAttribute('data-kinds')+' ').indexOf(' '+k+' ')>=0)&&
(!v||c.getAttribute('data-verdict')===v)&&(!text||c.textContent.toLowerCase().indexOf(text)>=0);
c.classList.toggle('hidden-by-filter',!ok);if(ok){n++;}});
hosts.forEach(function(h){var ok=!v||h.getAttribute('data-verdict')===v;h.classList.toggle('hidden-by-filter',!ok);});
count.textContent=String(n);}
[q,sev,kind,verdict].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
function openAll(open){cards.forEach(function(c){if(!c.classList.contains('hidden-by-filter')){c.open=open;}});}
document.getElementById('expand').addEventListener('click',function(){openAll(true);});
document.getElementById('collapse').addEventListener('click',function(){openAll(false);});
apply();})();
"""


def _hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


# A page escapes ~240 strings per host, and 93 % of them are the same few hundred
# (labels, severities, verdicts): short texts are escaped once per page run.
_SHORT = 256


def esc(value, limit=None):
    if type(value) is str and len(value) <= _SHORT:  # pylint: disable=unidiomatic-typecheck
        return _esc_short(value, limit)
    return _escape(value, limit)


@functools.lru_cache(maxsize=2048)
def _esc_short(text, limit):
    return _escape(text, limit)


def _escape(value, limit):
    text = visible(value)
    if limit and len(text) > limit:
        text = text[:limit] + "..."
    return html.escape(text, quote=True)


def _link(ref):
    url = str(ref.get("url") or "")
    title = esc(ref.get("title") or url)
    if url.lower().startswith(("https://", "http://")) and not any(c in url for c in "\"'<> \t\r\n\\"):
        return '<a href="%s" rel="noopener noreferrer">%s</a>' % (html.escape(url, quote=True), title)
    return "%s <code>%s</code>" % (title, esc(url)) if url else title


def _badge(cls, label):
    return '<span class="%s">%s</span>' % (cls, esc(label))


def _dl(rows):
    if not rows:
        return ""
    items = []
    for label, value, code in rows:
        shown = "<code>%s</code>" % esc(value, 4000) if code else esc(value, 4000)
        items.append("<dt>%s</dt><dd>%s</dd>" % (esc(label), shown))
    return "<dl>%s</dl>" % "".join(items)


def _section(title, body, wide=False):
    return '<section%s><h4>%s</h4>%s</section>' % (' class="wide"' if wide else "", esc(title), body) if body else ""


def _rules(card, msg):
    items = []
    for r in card["rules"]:
        refs = "; ".join(_link(ref) for ref in r["references"])
        mitre = ", ".join(esc(m) for m in r["mitre"])
        items.append("<li>%s <b>%s</b> <span class=muted>%s</span>%s%s%s</li>" % (
            _badge("sev sev-" + esc(r["severity"]), msg.label("severity", r["severity"])), esc(r["title"]),
            esc(r["rule"]), (" <span class=muted>MITRE ATT&amp;CK %s</span>" % mitre) if mitre else "",
            ('<div class="desc">%s</div>' % esc(r["description"], 1000)) if r["description"] else "",
            ('<div class="muted">%s: %s</div>' % (esc(msg("field.references")), refs)) if refs else ""))
    for title in card["escalations"]:
        items.append("<li>%s: %s</li>" % (esc(msg("field.escalation")), esc(title)))
    return '<ul class="rules">%s</ul>' % "".join(items) if items else ""


def _todo(card, msg):
    parts = []
    for key, steps in (("card.investigate", card["investigate"]), ("card.remediate", card["remediate"])):
        if steps:
            parts.append("<b>%s</b><ol>%s</ol>" % (esc(msg(key)), "".join("<li>%s</li>" % esc(s) for s in steps)))
    return '<div class="todo">%s</div>' % "".join(parts) if parts else ""


def _card(card, view, msg, is_open):
    f = card["finding"]
    kinds = " ".join(_badge("kind", msg.label("kind", k)) for k in card["kinds"])
    body = [_section(msg("card.what"), _dl(card["what"])), _section(msg("card.who"), _dl(card["who"])),
            _section(msg("card.how"), _dl(card["how"])), _section(msg("card.where"), _dl(card["where"])),
            _section(msg("card.why"), _rules(card, msg)), _section(msg("card.todo"), _todo(card, msg)),
            _section(msg("card.evidence"), "<details><summary>JSON</summary><pre>%s</pre></details>" % esc(
                to_json(f.get("evidence"), indent=1), MAX_EVIDENCE_CHARS), wide=True)]
    sev = esc(card["severity"])
    return ('<details class="card sev-%s" id="f-%s" data-rank="%d" data-kinds="%s" data-verdict="%s"%s>'
            '<summary>%s%s <span class="path">%s</span> &mdash; %s</summary><div class="card-body">%s</div></details>' % (
                sev, esc(card["id"]), SEVERITY_RANK.get(card["severity"], 0), esc(" ".join(str(k) for k in card["kinds"])),
                esc(view["verdict"]), " open" if is_open else "",
                _badge("sev sev-" + sev, msg.label("severity", card["severity"])), kinds,
                esc(card["task"] or msg("misc.host_level")), esc(card["title"], 600), "".join(body)))


def _timeline(view, msg):
    if not view["timeline"]:
        return "<p class=muted>%s</p>" % esc(msg("report.timeline_none"))
    rows = ["<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>" % tuple(
        esc(msg(k)) for k in ("col.time", "col.task", "col.event", "col.actor", "col.source"))]
    for e in view["timeline"]:
        client = (e.get("client") or {}) if isinstance(e.get("client"), dict) else {}
        actor = event_actor(e, msg)
        if client.get("fqdn"):
            actor = "%s (%s)" % (actor, client["fqdn"])
        rows.append("<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td><td class=muted>%s %s</td></tr>" % (
            esc(e.get("time")), esc(e.get("task")), esc(msg.label("event", e.get("action"))), esc(actor, 500),
            esc(e.get("channel")), esc(e.get("event_id"))))
    rows.append("</tbody></table>")
    if view["timeline_more"]:
        rows.append("<p class=muted>%s</p>" % esc(msg("report.more_events", count=view["timeline_more"])))
    return "".join(rows)


def _fleet(groups, msg):
    out = ["<h2>%s</h2><p class=muted>%s</p>" % (esc(msg("report.fleet")), esc(msg("report.fleet_help")))]
    for tier, views in groups:
        out.append("<h3>%s</h3><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
                   "<tbody>" % (esc(msg("tier." + tier)), esc(msg("col.host")), esc(msg("col.verdict")),
                                esc(msg("col.reason")), esc(msg("col.tasks")), esc(msg("col.gaps"))))
        for v in views:
            # No in-page link: the page's only links are http(s) references (hostile-input checks rely on it).
            out.append('<tr><td><b>%s</b></td><td>%s</td><td class="reason">%s</td><td class=num>%d</td>'
                       '<td class=num>%d</td></tr>' % (
                           esc(v["host"]),
                           _badge("verdict v-" + esc(v["verdict"]), msg.label("verdict", v["verdict"])),
                           esc(v["reason"], 600), v["tasks"], v["gaps"]))
        out.append("</tbody></table>")
    return out


def _compliance(doc, msg):
    """Hardening compliance per host (when the run included it)."""
    hosts = [(h, e["compliance"]) for h, e in (doc.get("hosts") or {}).items() if isinstance(e.get("compliance"), dict)]
    if not hosts:
        return []
    out = ["<h2>%s</h2><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>" % (
        esc(msg("report.compliance")), esc(msg("col.host")), esc(msg("col.report")), esc(msg("col.control")),
        esc(msg("col.status")), esc(msg("col.detail")))]
    for host, c in hosts:
        controls = c.get("controls") or []
        if not controls:
            out.append("<tr><td>%s</td><td>%s</td><td colspan=3>%s</td></tr>" % (
                esc(host), esc(c.get("status")), esc(c.get("error") or msg("report.no_compliance"), 500)))
        for x in controls:
            out.append("<tr><td>%s</td><td>%s</td><td>%s %s</td><td>%s</td><td>%s</td></tr>" % (
                esc(host), esc(c.get("status")), esc(x.get("id")), esc(x.get("name")), esc(x.get("status")),
                esc(x.get("detail") or "", 500)))
    out.append("</tbody></table>")
    return out


def _admin_cell(cell, msg):
    state = {True: "admin.documented", False: "admin.undocumented"}.get(cell.get("documented"), "admin.no_table")
    return "%s (%s)" % (esc(cell.get("host")), esc(msg(state)))


def _administrators(doc, msg):
    """The guideline's table of who is local administrator where (drift.json ``administrators``)."""
    table = doc.get("administrators")
    if not isinstance(table, dict):
        return []
    out = ["<h2>%s</h2><p class=muted>%s</p>" % (esc(msg("report.admins")), esc(msg("report.admins_help")))]
    members = [m for m in table.get("members") or [] if isinstance(m, dict)]
    if members:
        out.append("<table><thead><tr><th>%s</th><th>SID</th><th>%s</th></tr></thead><tbody>" % (
            esc(msg("col.account")), esc(msg("col.hosts_admin"))))
        for m in members[:MAX_CARDS]:
            marks = [msg("admin.orphaned")] if m.get("orphaned") else []
            marks += [msg("admin.entra")] if m.get("entra") else []
            out.append("<tr><td>%s%s</td><td><code>%s</code></td><td>%s</td></tr>" % (
                esc(m.get("name") or "-"), (" <span class=muted>(%s)</span>" % esc(", ".join(marks))) if marks else "",
                esc(m.get("sid")), ", ".join(_admin_cell(c, msg) for c in m.get("hosts") or [] if isinstance(c, dict))))
        out.append("</tbody></table>")
    elif not table.get("unread"):
        out.append("<p>%s</p>" % esc(msg("report.admins_none")))
    unread = [u for u in table.get("unread") or [] if isinstance(u, dict)]
    if unread:
        items = [esc(msg("report.admins_unread", host=u.get("host"), reason=u.get("reason")), 600)
                 for u in unread[:MAX_CARDS]]
        out.append("<ul>%s</ul>" % "".join("<li>%s</li>" % item for item in items))
    return out


def _batch_rights(doc, views, msg):
    """Holders of "Log on as a batch job" host by host (drift.json ``hosts.<host>.user_rights``)."""
    if not batch_rights.has_holders(doc):
        return []
    out = ["<h2>%s</h2><p class=muted>%s</p>" % (esc(msg("report.batch")), esc(msg("report.batch_help")))]
    rows, notes = [], []
    for view in views:
        holders, unread = batch_rights.host_rows(view["entry"])
        rows += [(view["host"], h) for h in holders]
        notes += [esc("%s: %s" % (view["host"], batch_rights.unread_text(right, reason, msg)), 600)
                  for right, reason in unread]
    if rows:
        out.append("<table><thead><tr><th>%s</th><th>%s</th><th>SID</th><th>%s</th></tr></thead><tbody>" % (
            esc(msg("col.host")), esc(msg("col.account")), esc(msg("col.state"))))
        for host, h in rows[:MAX_CARDS]:
            out.append("<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td></tr>" % (
                esc(host), esc(batch_rights.name(h, msg) or "-"), esc(h["sid"]), esc(batch_rights.state(h, msg))))
        out.append("</tbody></table>")
    if notes:
        out.append("<ul>%s</ul>" % "".join("<li>%s</li>" % note for note in notes[:MAX_CARDS]))
    return out


def _controls(msg, kinds, total):
    sev = "".join('<option value="%d">%s</option>' % (SEVERITY_RANK[s], esc(msg.label("severity", s)))
                  for s in ("info", "low", "medium", "high", "critical"))
    verdicts = "".join('<option value="%s">%s</option>' % (v, esc(msg.label("verdict", v))) for v in VERDICT_ORDER)
    kind_opts = "".join('<option value="%s">%s</option>' % (esc(k), esc(msg.label("kind", k))) for k in kinds)
    return ('<div class="controls"><label>%s <input id="q" type="search"></label>'
            '<label>%s <select id="sev">%s</select></label>'
            '<label>%s <select id="verdict"><option value="">%s</option>%s</select></label>'
            '<label>%s <select id="kind"><option value="">%s</option>%s</select></label>'
            '<span>%s: <b id="count">%d</b></span>'
            '<button type="button" id="expand">%s</button><button type="button" id="collapse">%s</button></div>' % (
                esc(msg("filter.search")), esc(msg("filter.min_severity")), sev, esc(msg("filter.verdict")),
                esc(msg("filter.all")), verdicts, esc(msg("filter.kind")), esc(msg("filter.all")), kind_opts,
                esc(msg("filter.shown")), total, esc(msg("filter.expand")), esc(msg("filter.collapse"))))


def _os_version(view, msg):
    text = os_version_text(view["entry"], msg)
    return '<p class="muted">%s</p>' % esc(text, 400) if text else ""


def render(doc, language=None, fleet_view=None):
    msg, groups = fleet_view or fleet(doc, language)
    views = all_views(groups)
    run = doc.get("run") or {}
    style, script = _STYLE % {"font": msg.font_stack}, _SCRIPT
    csp = ("default-src 'none'; script-src %s; style-src %s; img-src 'none'; base-uri 'none'; form-action 'none'"
           % (_hash(script), _hash(style)))
    counts = count_verdicts(views)
    out = ['<!DOCTYPE html><html lang="%s"><head><meta charset="utf-8">' % msg.language,
           '<meta http-equiv="Content-Security-Policy" content="%s">' % html.escape(csp, quote=True),
           '<meta name="referrer" content="no-referrer">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>%s</title><style>%s</style></head><body><main>" % (esc(msg("report.title")), style),
           "<h1>%s</h1>" % esc(msg("report.title")),
           "<p>%s %s</p>" % (esc(msg("report.run", run=visible(run.get("id")), time=visible(run.get("generated_at")))),
                             esc(msg("report.totals", hosts=len(views), tasks=sum(v["tasks"] for v in views),
                                     gaps=sum(v["gaps"] for v in views)))),
           "<p>%s</p>" % " ".join(_badge("verdict v-" + v, "%s: %d" % (msg.label("verdict", v), counts[v]))
                                  for v in VERDICT_ORDER if counts.get(v))]
    out.extend(_fleet(groups, msg))
    kinds = sorted({k for v in views for c in v["cards"] + v["audit"] for k in c["kinds"] if k},
                   key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else 99)
    total = sum(len(v["cards"]) + len(v["audit"]) for v in views)
    out.append("<h2>%s</h2>" % esc(msg("report.tasks")))
    out.append(_controls(msg, kinds, min(total, MAX_CARDS)))
    budget = MAX_CARDS
    for anchor, v in enumerate(views):
        out.append('<section class="host" id="h-%s" data-verdict="%s"><h2>%s %s <span class="muted">%s</span></h2>'
                   '<ul class="reasons">%s</ul>%s' % (
                       esc(str(anchor)), esc(v["verdict"]), esc(v["host"]),
                       _badge("verdict v-" + esc(v["verdict"]), msg.label("verdict", v["verdict"])),
                       esc(msg("tier." + v["tier"])), "".join("<li>%s</li>" % esc(r, 600) for r in v["reasons"][:10]),
                       _os_version(v, msg)))
        shown = v["cards"][:max(budget, 0)]
        budget -= len(shown)
        if shown:
            # The worst card of a compromised or suspicious host starts open: the reader sees a command line
            # and a registrant without a click.
            out.extend(_card(c, v, msg, i == 0 and v["verdict"] in ("compromised", "suspicious"))
                       for i, c in enumerate(shown))
        elif not v["cards"]:
            out.append("<p class=muted>%s</p>" % esc(msg("report.no_cards")))
        if v["audit"]:
            gaps = v["audit"][:max(budget, 0)]
            budget -= len(gaps)
            out.append("<h3>%s</h3>" % esc(msg("report.audit_gaps")))
            out.extend(_card(c, v, msg, False) for c in gaps)
        out.append("<h3>%s</h3>%s</section>" % (esc(msg("report.timeline")), _timeline(v, msg)))
    if total > MAX_CARDS:
        out.append("<p>%s</p>" % esc(msg("report.more_cards", count=total - MAX_CARDS)))
    out.extend(_administrators(doc, msg))
    out.extend(_batch_rights(doc, views, msg))
    out.extend(_compliance(doc, msg))     # after the cards: the analyst's questions come first
    out.append("</main><script>%s</script></body></html>" % script)
    return "\n".join(out).encode("utf-8")
