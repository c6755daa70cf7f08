# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Learn a built-in Windows baseline (``owner.kind: baseline``) from a golden host.

Used by ``playbooks/baseline.yml`` with ``taskguard_baseline_kind=baseline``
(the action ``taskguard.windows.inventory_learn``). The file written has the
layout of the shipped baselines that ``tools/build_inventory_baseline.py``
generates (``task_inventory/baselines/<os_family>.yml``): owner kind
``baseline``, the version in ``defaults.scope.os_family``, one entry per
Windows task with path, justification and ``expected``, plus a ``provenance``
per entry (golden host, build, date, method learned).

Three screens, in this order, decide what is learned:

* ``host_version``: the version the baseline is for must come from the host
  itself (live, SOFTWARE hive, reg export) or from the operator
  (``taskguard_os_family``); an inference from the task folder, an unknown
  version or a hint that contradicts the host stop the host;
* ``screen_tasks``: a concealed task or a finding at high or above stops the
  host unless the operator overrides (``taskguard_baseline_allow_findings``);
  a task matching a risk rule at medium or above is never learned, override or
  not (``inventory_propose.proposal_allowed``, the rule the reports use);
* ``windows_task``: only Windows' own tasks (``\\Microsoft\\`` and the Microsoft
  components Windows registers in the root folder), as the generator keeps
  them; third-party tasks belong in a vendor file.

Everything left out is returned with its reason and written into the file's
header: nothing is dropped silently.
"""
from __future__ import (absolute_import, division, print_function)

__metaclass__ = type

import collections
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.host_context import CLIENT_BUILDS, SERVER_BUILDS
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
    build_document, dump_document, propose_entry, proposal_allowed,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import SEVERITY_RANK

GENERATED_BY = "playbooks/baseline.yml"
ALLOW_FINDINGS_VAR = "taskguard_baseline_allow_findings"
OS_FAMILY_VAR = "taskguard_os_family"
# The versions a baseline can be for: those the collectors report
KNOWN_OS_FAMILIES = frozenset(SERVER_BUILDS.values()) | frozenset(family for dummy, family in CLIENT_BUILDS)
# Where a version may come from for a baseline: read on the host, or named by the operator.
TRUSTED_OS_SOURCES = ("live", "hive", "reg_export", "hint")
OS_SOURCE_TEXT = {"live": "the host (live, WMI)", "hive": "the SOFTWARE hive", "reg_export": "a reg export",
                  "hint": "the operator (taskguard_os_family)",
                  "task_folder_inference": "an inference from the task folder"}
# Root-folder tasks that Windows itself or its bundled Microsoft components
# register; the one rule of windows_task, also used by tools/build_inventory_baseline.py.
MICROSOFT_ROOT_PREFIXES = (
    "\\onedrive reporting task-",
    "\\onedrive standalone update task-",
    "\\onedrive startup task-",
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
NOT_WINDOWS = "not a Windows component (third-party software: document it in a vendor file)"


def comment_safe(text, limit=300):
    """One header line from host data: no line breaks (a task path must not add YAML)."""
    text = _CONTROL.sub("?", str(text))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def windows_task(path):
    """True for a task Windows (or a Microsoft component it bundles) registers."""
    low = str(path or "").casefold()
    return low.startswith("\\microsoft\\") or low.startswith(MICROSOFT_ROOT_PREFIXES)


def host_version(host, hint=None):
    """(os_family, problem or None) of a golden host for a baseline.

    host: the collected host facts (host_context: os_family, os_source,
    os_build); hint: the operator's ``taskguard_os_family`` or None.
    """
    collected = host.get("os_family") or "unknown"
    source = host.get("os_source")
    if hint and hint not in KNOWN_OS_FAMILIES:
        return None, "%s=%r is not a Windows version taskguard knows (%s)" % (
            OS_FAMILY_VAR, hint, ", ".join(sorted(KNOWN_OS_FAMILIES)))
    if hint:
        if source in ("live", "hive", "reg_export") and collected not in ("unknown", hint):
            return None, ("%s=%s, but %s says %s (build %s): fix the variable or learn from the right host"
                          % (OS_FAMILY_VAR, hint, OS_SOURCE_TEXT[source], collected, host.get("os_build") or "?"))
        return hint, None
    if collected == "unknown" or source not in TRUSTED_OS_SOURCES:
        how = OS_SOURCE_TEXT.get(source, "nothing in the evidence")
        return None, ("the Windows version of this host is not known from the host itself (%s gave %s): "
                      "set %s for this host to the version the baseline is for" % (how, collected, OS_FAMILY_VAR))
    return collected, None


def _severity_or_info(risk):
    # proposal_allowed counts a missing severity as critical (fail closed); a task
    # no rule matched has none, which here means "nothing found"
    return risk.get("severity") or "info"


def screen_tasks(tasks, sources, rules, *, allow_findings=False):
    """{"kept": [task], "left_out": [(path, why)], "blockers": [text]} for one host.

    *rules*: a compiled ``risk.RuleSet``; each task is scored as the audit scores
    an undocumented task (``documented: False``), which is what every task of a
    build without a baseline is. *sources*: the task sources read (concealment
    is only claimed where its sources were read, as in drift).
    """
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift import concealment_reasons
    kept, left_out, blockers = [], [], []
    for task in tasks or []:
        if not isinstance(task, dict) or not task.get("path"):
            left_out.append(("?", "task without a scheduler path"))
            continue
        path = task["path"]
        concealed = concealment_reasons(task, sources or {})
        risk = rules.evaluate(task, {"documented": False})
        severity = _severity_or_info(risk)
        if concealed:
            blockers.append("%s is concealed from the scheduler (%s)" % (path, ", ".join(concealed)))
        elif SEVERITY_RANK.get(severity, SEVERITY_RANK["critical"]) >= SEVERITY_RANK["high"]:
            blockers.append("%s scores %s (%s)" % (path, severity, ", ".join(
                str(r.get("rule")) for r in risk.get("reasons") or [])))
        allowed, why = proposal_allowed(task, severity=severity, hidden_reasons=concealed,
                                        risk_reasons=risk.get("reasons") or [])
        if not allowed:
            left_out.append((path, why))
        elif task.get("hidden_reasons"):
            # reasons whose sources were not read still say something is off
            left_out.append((path, "investigate before documenting: hidden reasons %s"
                             % ", ".join(str(r) for r in task["hidden_reasons"])))
        elif not windows_task(path):
            left_out.append((path, NOT_WINDOWS))
        else:
            kept.append(task)
    if blockers and allow_findings:
        blockers = []
    elif blockers:
        blockers = ["%d task(s) at high or above or concealed, e.g. %s: a golden host must be clean. "
                    "Investigate; to learn from it anyway (those tasks are still left out) set %s=true"
                    % (len(blockers), "; ".join(blockers[:3]), ALLOW_FINDINGS_VAR)]
    return {"kept": kept, "left_out": sorted(left_out, key=lambda item: item[0].casefold()), "blockers": blockers}


def describe_build(host):
    """'build 10.0.26100 (version from the SOFTWARE hive)' for provenance and headers."""
    build = host.get("os_version") or host.get("os_build") or "unknown"
    source = OS_SOURCE_TEXT.get(host.get("os_source"), "unknown")
    return "build %s (version from %s)" % (build, source)


def baseline_entries(tasks, *, os_family, host_name, build, today):
    """Baseline entries of the kept tasks of one golden host.

    An entry states a fact about Windows, as the generator's do: owner,
    approval, expiry and review come from the file's defaults; each entry keeps
    where it was learned in ``provenance``.
    """
    host = {"name": host_name, "os_family": os_family}
    entries, seen = [], set()
    for task in sorted(tasks, key=lambda t: t["path"].casefold()):
        entry = propose_entry(task, host, today=today)
        key = (entry.get("path") or entry.get("path_pattern")).casefold()
        if key in seen:     # per-user tasks of several users collapse into one {sid} pattern
            continue
        seen.add(key)
        ordered = {k: entry[k] for k in ("path", "path_pattern") if k in entry}
        ordered["justification"] = "Built-in %s task (present on golden host %s, learned %s)" % (
            os_family, host_name, today)
        ordered["expected"] = entry["expected"]
        ordered["provenance"] = {"learned_from": [host_name], "learned_at": today, "os_family": [os_family],
                                 "source": "method: learned; golden host %s, %s" % (host_name, build),
                                 "generated_by": GENERATED_BY}
        entries.append(ordered)
    return entries


# Where a baseline was learned: the golden host's name and OS family, its build
# text (build_text) and the day. One record instead of four more arguments (issue 22).
GoldenHost = collections.namedtuple("GoldenHost", "name os_family build today")


def baseline_text(entries, golden, *, left_out=(), contact, approver, notes=()):
    """YAML text of a learned baseline file, header included. ``golden``: a GoldenHost."""
    host_name, os_family, build, today = golden
    doc = build_document(
        entries, owner_name="Microsoft Windows (%s baseline)" % os_family, kind="baseline", contact=contact,
        provenance={"learned_from": [host_name], "learned_at": today, "os_family": [os_family],
                    "source": "method: learned; golden host %s, %s" % (host_name, build),
                    "generated_by": GENERATED_BY},
        defaults={"scope": {"os_family": [os_family]},
                  "approval": {"ticket": "taskguard-baseline-%s" % os_family, "approver": approver,
                               "date": today}},
    )
    header = [
        "yaml-language-server: $schema=../../schemas/task_inventory.schema.json",
        comment_safe("Built-in scheduled tasks of %s, learned by %s from golden host %s, %s, on %s."
                     % (os_family, GENERATED_BY, host_name, build, today), 1000),
        "REVIEW BEFORE USE: confirm the golden host was a clean installation of %s;" % os_family,
        "entries stay unconfirmed while owner.contact or the approval starts with CONFIRM.",
        "Validate with: ansible-playbook playbooks/validate.yml -e taskguard_task_inventory_dir=<this file>",
    ]
    header += [comment_safe(note, 1000) for note in notes]
    header.append("%d tasks kept, %d left out:" % (len(entries), len(left_out)))
    header += ["  %s: %s" % (comment_safe(path), comment_safe(why, 400)) for path, why in left_out]
    return dump_document(doc, header="\n".join(header))
