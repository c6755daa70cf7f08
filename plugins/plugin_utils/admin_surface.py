# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entry points of the admin-surface audit (docs/least-privilege.md): one host at a time.

``collect_offline_admin_surface(root, sysvol_root=None) -> material``
    reads an offline evidence folder (and/or a copied SYSVOL).
``normalize_live_admin_surface(raw) -> material``
    turns the ``admin_surface`` part of the collect module's result
    (AdminMaterial.psm1, contract in tests/unit/fixtures/admin_surface/) into the same material.
``load_previous(state_dir, host, material) -> gpo_state.Previous|None``
    the GPO task state the last audit of this host kept (gpo_state.py).
``state_for_next_audit(material, previous=None) -> dict|None``
    what to keep in the state dir (``save_state``, after the reports) for next time.
``audit(host, material, host_view, previous=None, *, rules=None, admin_view=None, now=None) -> [finding]``
    judges it (admin_findings); ``previous`` is ``load_previous``'s answer (or a
    state document, or the previous audit's material); None: "added since the
    last audit" cannot be told and is not claimed;
    ``admin_view`` is ``inventory_admins.view(inventory, host)`` (None: no administrators
    table, a coverage finding says so and every member is undocumented);
    ``rules`` the risk rules (optional) applied to GPO task definitions.

Material::

    {"mode": "offline"|"live",
     "gpo_tasks": gpo_tasks result | None (not attempted),
     "administrators": local_admins model | None (not collected: TG-A010),
     "user_rights": user_rights model (SeBatchLogonRight holders) | None (not attempted),
     "laps": laps model | None (not collected: TG-L010 unless LAPS is not required)}

    A key left out of the material is not judged at all (a caller judging one part).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime

from ansible_collections.taskguard.windows.plugins.plugin_utils import (
    admin_findings, gpo_tasks, laps, local_admins, user_rights,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils import gpo_state
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import clip_text, host_text


def collect_offline_admin_surface(root, sysvol_root=None):
    gpo = gpo_tasks.collect_offline(root, sysvol_root)
    admins = local_admins.collect_offline(root) if root else None
    return {"mode": "offline", "gpo_tasks": gpo, "administrators": admins,
            "user_rights": user_rights.collect_offline(root, (admins or {}).get("machine_sid")) if root else None,
            "laps": laps.collect_offline(root) if root else None}


def normalize_live_admin_surface(raw):
    raw = raw if isinstance(raw, dict) else {}
    error = raw.get("error")
    admins = local_admins.parse_live_material(raw.get("administrators")) if "administrators" in raw or error \
        else None
    if admins is not None and error and not admins["read"]:
        admins["errors"].append(host_text(error))      # the host's text: bounded, never str() of an object
    gpo = gpo_tasks.parse_live_material(raw["sysvol"]) if isinstance(raw.get("sysvol"), dict) else None
    lapsm = laps.parse_live_material(raw.get("laps")) if "laps" in raw or error else None
    rights = user_rights.parse_live_material(raw.get("user_rights"), (admins or {}).get("machine_sid")) \
        if "user_rights" in raw or error else None
    return {"mode": "live", "gpo_tasks": gpo, "administrators": admins, "user_rights": rights, "laps": lapsm}


def load_previous(state_dir, host_name, material):
    """The previous GPO task state of a host (a ``gpo_state.Previous``), or None when there is
    nothing to compare: no state dir, or SYSVOL not found in this audit's material. Never raises."""
    gpo = (material or {}).get("gpo_tasks") if isinstance(material, dict) else None
    if not state_dir or not isinstance(gpo, dict) or not (gpo.get("coverage") or {}).get("sysvol_found"):
        return None
    return gpo_state.load(state_dir, host_name)


def state_for_next_audit(material, previous=None):
    """The GPO task state the next audit compares with (JSON-safe, ``gpo_state`` shape), or None
    when SYSVOL was not found (the stored state is then kept as it is).

    SYSVOL read in part: the tasks of ``previous`` (a ``gpo_state.Previous``) this read did not
    see are carried over, so a file that could not be read does not make its tasks "new" next time.
    """
    gpo = (material or {}).get("gpo_tasks") if isinstance(material, dict) else None
    if not isinstance(gpo, dict) or not (gpo.get("coverage") or {}).get("sysvol_found"):
        return None
    tasks, keys = [], set()
    complete = gpo_tasks.fully_read(gpo)
    unread = set(admin_findings.unread_gpos(gpo))
    for task in gpo.get("tasks") or []:
        if not isinstance(task, dict):
            continue
        if len(tasks) >= gpo_state.MAX_STATE_TASKS:
            # not kept: its GPO counts as unread next time, so its tasks are not "new" then
            unread.add(str(task.get("gpo_guid") or "*").upper())
            complete = False
            continue
        keys.add(admin_findings.task_key(task))
        tasks.append(_state_entry(task))
    if not complete and isinstance(previous, gpo_state.Previous) and previous.status == "found":
        unread.update(previous.state.get("unread_gpos") or ())
        for task in previous.state["tasks"]:
            if admin_findings.task_key(task) not in keys and len(tasks) < gpo_state.MAX_STATE_TASKS:
                tasks.append(task)
    return {"version": gpo_state.STATE_VERSION, "fully_read": complete, "unread_gpos": sorted(unread),
            "tasks": tasks}


def _state_entry(task):
    entry = {k: task.get(k) for k in ("gpo_guid", "scope", "item_type", "name", "fingerprint", "run_as")}
    entry["command"] = admin_findings.command_text(task)
    return entry


def save_state(state_dir, host_name, doc, *, durable=True):
    """Store ``state_for_next_audit``'s answer for the host (after the reports: drift_report,
    ``durable=False`` and one sync of the state dir for the run). A None ``doc`` keeps the old
    state. Raises ``state.ReportWriteError`` (an OSError) or ``gpo_state.GpoStateError``."""
    if doc is not None:
        gpo_state.save(state_dir, host_name, doc, durable=durable)


def audit(host, material, host_view, previous=None, **options):
    """Findings (drift shape plus ``code``/``params``) of one host's admin surface, most severe first.

    ``options``: ``rules`` (risk rules for GPO task definitions), ``admin_view``
    (the administrators table of the host), ``now`` (the time LAPS ages are
    measured against; default: now)."""
    unknown = set(options) - {"rules", "admin_view", "now"}
    if unknown:
        raise TypeError("unknown option(s): %s" % ", ".join(sorted(unknown)))
    rules, admin_view = options.get("rules"), options.get("admin_view")
    host = host if isinstance(host, dict) else {"name": str(host)}
    out = admin_findings.Findings(host.get("name"))
    material = material if isinstance(material, dict) else {}
    admin_findings.judge_gpo_tasks(out, material.get("gpo_tasks"), host, host_view, previous, rules)
    # a part absent from the material is not judged (a caller judging one part); a part
    # present as None was not collected: a coverage finding, never a table that looks clean
    if "administrators" in material:
        admin_findings.judge_administrators(out, material["administrators"], host, admin_view)
    if "user_rights" in material:
        user_rights.judge(out, material["user_rights"], host, admin_view,
                          ((material.get("administrators") or {}).get("machine_sid")))
    now = options.get("now") or datetime.datetime.now(datetime.timezone.utc)
    if "laps" in material:
        admin_findings.judge_laps(out, material["laps"], host, admin_view, now)
    return out.sorted()


# ------------------------------------------------------------------ fleet view
def fleet_admin_table(models, admin_views=None):
    """Who is local admin where: one row per member SID across every audited host.

    ``models``: {host name: Administrators model (``material["administrators"]``) or None};
    ``admin_views``: {host name: ``inventory_admins.view(...)``} to mark each cell documented
    (None when no table applies). Hosts whose membership was not read are listed in
    ``unread`` with the reason, never shown as hosts without administrators.
    """
    rows, unread, read = {}, [], []
    for host, model in sorted((models or {}).items()):
        if not isinstance(model, dict) or not model.get("read"):
            reason = "; ".join((model or {}).get("errors") or []) or "not collected"
            unread.append({"host": host, "reason": clip_text(reason)})   # up to 50 host texts joined
            continue
        read.append(host)
        view = (admin_views or {}).get(host)
        for member in model.get("members") or []:
            sid = member.get("sid")
            row = rows.setdefault(sid, {"sid": sid, "name": None, "entra": bool(member.get("entra")),
                                        "orphaned": False, "hosts": []})
            row["name"] = row["name"] or member.get("name")
            row["orphaned"] = row["orphaned"] or bool(member.get("orphaned"))
            entry = view.match(member, model.get("machine_sid")) if view is not None else None
            row["hosts"].append({"host": host, "documented": (entry is not None and not entry.expired)
                                 if view is not None else None,
                                 "domain_controller_builtin": bool(model.get("is_domain_controller_builtin"))})
    table = sorted(rows.values(), key=lambda r: (-len(r["hosts"]), r["name"] or "", r["sid"]))
    return {"hosts": read, "unread": unread, "members": table}


def fleet_task_account_findings(hosts, *, min_hosts=3):
    """Task accounts joined with the fleet's Administrators tables (issue 19 point 4).

    ``hosts``: {host name: {"tasks": [normalized tasks], "administrators": model}}.
    Returns {host name: [findings]} (TG-A020/A021/A022). Fleet state: run it in the
    report step, once, after every host was audited.
    """
    admins = admin_findings.admin_index({h: (v or {}).get("administrators") for h, v in (hosts or {}).items()})
    runs_on = {}
    for host, value in sorted((hosts or {}).items()):
        for task in (value or {}).get("tasks") or []:
            account, _written = admin_findings.task_account(task)
            if account is None:
                continue
            listed = runs_on.setdefault(account, [])
            # hosts come one after the other, so a host already listed is the last one
            # (a membership test over the whole list made this quadratic in hosts)
            if not listed or listed[-1] != host:
                listed.append(host)
    out = {}
    for host, value in sorted((hosts or {}).items()):
        findings = admin_findings.Findings(host)
        admin_findings.judge_task_accounts(findings, host, (value or {}).get("tasks"), admins, runs_on,
                                           min_hosts=min_hosts)
        out[host] = findings.sorted()
    return out
