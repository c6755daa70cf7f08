# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin taskguard.windows.inventory_learn: learn an inventory from what hosts run.

Two steps, so that no state is shared between hosts while collecting (AWX job
slicing, fleets):

* per host (no ``output``): collect the host's tasks - offline from
  ``taskguard_offline_root`` on the controller, or live with one run of
  ``taskguard.windows.task_info`` - and return one proposed entry per task
  (``inventory_propose.propose_entry``);
* once, on localhost (``output`` set): merge the proposals registered by every
  host, write one inventory file atomically, and validate what was written.

Hosts that could not be collected are listed in the file header and in the
result (``incomplete``): a learned file never pretends to cover a host it did
not see.

With ``kind: baseline`` the same two steps learn a built-in Windows baseline
from golden hosts (``plugin_utils/inventory_baseline.py`` decides what may be
learned); the write step writes one file per Windows version and writes
nothing when any targeted host was not learned.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import os
import re
import tempfile

from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.inventory_learn import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec, inventory_baseline
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
    format_problem, load_inventory,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
    build_document, dump_document, merge_entries, propose_for_host,
)

_ARGS = argspec.from_documentation(DOCUMENTATION)
# A baseline file is named by its version: only names a version can have
_FAMILY_NAME = re.compile(r"^[a-z0-9][a-z0-9_.]{0,63}$")
LEARNED_OWNER = "CONFIRM: owner of the learned tasks"
CONFIRM_CONTACT = "CONFIRM: contact"
CONFIRM_APPROVER = "CONFIRM: approver of this learned baseline"


# header comments carry host data: no line breaks, or a hostile task path could add YAML
_comment_safe = inventory_baseline.comment_safe


def _today(value):
    if value:
        return datetime.date.fromisoformat(value).isoformat()
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGS)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(argument_spec=_ARGS)
        try:
            today = _today(args.get("today"))
        except ValueError:
            result.update(failed=True, msg="today must be YYYY-MM-DD")
            return result
        if args.get("output") or args.get("output_dir"):
            if args["kind"] == "baseline":
                result.update(self._write_baselines(args, task_vars, today))
            else:
                result.update(self._write(args, task_vars, today))
        else:
            result.update(self._learn_host(args, task_vars, today))
        return wrap_var(result)

    # -- per host ----------------------------------------------------------
    def _learn_host(self, args, task_vars, today):
        name = str(task_vars.get("inventory_hostname"))
        offline_root = args.get("offline_root") or task_vars.get("taskguard_offline_root")
        if offline_root is not None:
            # host variables arrive untemplated ("{{ inventory_dir }}/..."); they are
            # inventory configuration, not host data, so templating them is intended
            offline_root = self._templar.template(offline_root)
        try:
            tasks_result, mode = self._collect(offline_root, task_vars)
        except Exception as exc:  # noqa: BLE001 - reported per host, the write step lists the host
            return {"failed": True, "msg": "task collection failed on %s: %s" % (name, exc),
                    "learned": {"host": {"name": name}, "ok": False, "error": str(exc)}}
        info = tasks_result.get("host") or {}
        host = {
            "name": name,
            "groups": list(task_vars.get("group_names") or []),
            "os_family": args.get("os_family") or task_vars.get("taskguard_os_family") or info.get("os_family") or "unknown",
            "domain_role": args.get("domain_role") or task_vars.get("taskguard_domain_role") or info.get("domain_role") or "unknown",
        }
        if args["kind"] == "baseline":
            return self._learn_baseline(args, task_vars, today, host, tasks_result, mode)
        skip = None
        inventory_errors = []
        if args.get("only_undocumented") and args.get("inventory_dir"):
            inventory = load_inventory([str(p) for p in args["inventory_dir"]], today=today)
            inventory_errors = [format_problem(p) for p in inventory.errors]
            view = inventory.for_host(host)

            def skip(task):
                return view.match(task.get("path")) is not None
        tasks = tasks_result.get("tasks") or []
        entries, problems = propose_for_host(tasks, host, today=today, skip=skip)
        learned = {
            "host": host, "ok": True, "mode": mode, "learned_at": today, "entries": entries,
            "task_count": len(tasks), "problems": problems,
            "unparseable": [{"path": u.get("path"), "error": u.get("error")} for u in tasks_result.get("unparseable") or []],
            "errors": list(tasks_result.get("errors") or []), "sources": tasks_result.get("sources"),
            "inventory_errors": inventory_errors,
        }
        plural = "y" if len(entries) == 1 else "ies"
        return {"changed": False, "learned": learned,
                "msg": "%s: %d task(s), %d proposed entr%s" % (name, len(tasks), len(entries), plural)}

    def _learn_baseline(self, args, task_vars, today, host, tasks_result, mode):
        """Per host, kind baseline: the version, the screens, the entries (inventory_baseline.py)."""
        name = host["name"]
        collected = dict(tasks_result.get("host") or {})
        hint = args.get("os_family") or task_vars.get("taskguard_os_family")
        family, problem = inventory_baseline.host_version(collected, hint=str(hint) if hint else None)
        if problem is None and not _FAMILY_NAME.match(family):
            problem = "%s=%r is not a Windows version name (windows_server_2025, ...)" % (
                inventory_baseline.OS_FAMILY_VAR, family)
        learned = {"host": dict(host, os_family=family or host["os_family"]), "ok": False, "mode": mode,
                   "kind": "baseline", "learned_at": today, "task_count": len(tasks_result.get("tasks") or []),
                   "errors": list(tasks_result.get("errors") or []), "sources": tasks_result.get("sources")}
        if problem:
            learned["error"] = problem
            return {"failed": True, "learned": learned, "msg": "%s not learned: %s" % (name, problem)}
        if hint and collected.get("os_source") not in ("live", "hive", "reg_export"):
            collected["os_source"] = "hint"   # host_version refused a hint the host contradicts
        from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
        rules = audit_support.load_rules([str(p) for p in args.get("extra_rule_files") or []])
        screened = inventory_baseline.screen_tasks(tasks_result.get("tasks") or [], tasks_result.get("sources"),
                                                   rules, allow_findings=args["allow_findings"])
        unparseable = [{"path": u.get("path"), "error": u.get("error")} for u in tasks_result.get("unparseable") or []]
        learned["left_out"] = [list(item) for item in screened["left_out"]] + [
            [u["path"], "definition could not be parsed: %s" % u["error"]] for u in unparseable]
        if screened["blockers"]:
            learned["error"] = screened["blockers"][0]
            return {"failed": True, "learned": learned, "msg": "%s not learned: %s" % (name, learned["error"])}
        build = inventory_baseline.describe_build(collected)
        entries = inventory_baseline.baseline_entries(screened["kept"], os_family=family, host_name=name,
                                                      build=build, today=today)
        if not entries:
            # an empty baseline would claim that this version ships no task at all
            learned["error"] = ("no Windows task learned (%d task(s) read, %d left out): not the task folder of a "
                                "Windows installation?" % (learned["task_count"], len(learned["left_out"])))
            return {"failed": True, "learned": learned, "msg": "%s not learned: %s" % (name, learned["error"])}
        learned.update(ok=True, os_family=family, build=build, entries=entries, unparseable=unparseable)
        return {"changed": False, "learned": learned,
                "msg": "%s (%s, %s): %d task(s), %d learned, %d left out" % (
                    name, family, build, learned["task_count"], len(entries), len(learned["left_out"]))}

    def _collect(self, offline_root, task_vars):
        # The same collection code, with the same evidence discovery and root
        # confinement, as the audit: a learned inventory then matches what the
        # audit sees on that host.
        if offline_root:
            from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks
            root = str(offline_root)
            if not os.path.isdir(root):
                raise ValueError("evidence folder %s does not exist" % root)
            return collect_offline_tasks(root), "offline"
        from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
        raw = self._execute_module(module_name="taskguard.windows.task_info", module_args={}, task_vars=task_vars)
        if raw.get("failed") or raw.get("unreachable") or not isinstance(raw.get("material"), dict):
            raise ValueError(raw.get("msg") or "task_info returned no material")
        return normalize_live_tasks(raw["material"]), "live"

    # -- once, on the controller ----------------------------------------------
    def _write(self, args, task_vars, today):
        hostvars = task_vars.get("hostvars") or {}
        host_entries, header, failed_hosts = [], [], []
        problems = []
        for name in args.get("hosts") or []:
            registered = (hostvars.get(name) or {}).get(args["results_var"]) or {}
            learned = registered.get("learned") if isinstance(registered, dict) else None
            if not learned or not learned.get("ok"):
                failed_hosts.append(name)
                reason = (learned or {}).get("error") or registered.get("msg") if isinstance(registered, dict) else None
                header.append("NOT LEARNED %s: %s" % (_comment_safe(name), _comment_safe(reason or "no result (unreachable?)")))
                continue
            host = learned.get("host") or {"name": name}
            host_entries.append((host, learned.get("entries") or []))
            header.append("learned %s (%s, %s, %s): %d tasks, %d proposed" % (
                _comment_safe(name), _comment_safe(host.get("os_family")), _comment_safe(host.get("domain_role")),
                _comment_safe(learned.get("mode")), learned.get("task_count") or 0, len(learned.get("entries") or [])))
            for item in (learned.get("unparseable") or [])[:50]:
                header.append("  unparseable on %s, NOT documented: %s (%s)" % (
                    _comment_safe(name), _comment_safe(item.get("path")), _comment_safe(item.get("error"), 120)))
            for item in (learned.get("problems") or [])[:50]:
                header.append("  not proposable on %s: %s (%s)" % (
                    _comment_safe(name), _comment_safe(item.get("path")), _comment_safe(item.get("error"), 120)))
            for item in (learned.get("errors") or [])[:20]:
                header.append("  collection error on %s: %s" % (_comment_safe(name), _comment_safe(item)))
            problems.extend(learned.get("problems") or [])
        if not host_entries:
            # an empty learned file would read as "this fleet runs no task"
            return {"failed": True, "hosts_failed": failed_hosts, "incomplete": True,
                    "msg": "no host was learned, nothing written to %s: %s" % (
                        args["output"], "; ".join(header[:20]) if header else
                        "no host in this run (check taskguard_hosts and the limit)")}
        entries = merge_entries(host_entries)
        doc = build_document(entries, owner_name=args.get("owner_name") or LEARNED_OWNER,
                             contact=args.get("contact") or CONFIRM_CONTACT, kind="learned",
                             provenance={"learned_from": sorted(h.get("name") for h, dummy in host_entries) or ["none"],
                                         "learned_at": today, "generated_by": "playbooks/baseline.yml"})
        text = dump_document(doc, header="\n".join([
            "Learned by playbooks/baseline.yml on %s. REVIEW BEFORE MERGING:" % today,
            "every task found was documented, including any malicious one. Confirm each",
            "entry's owner, justification, approval and expiry (fields starting with CONFIRM,",
            "review.status: unconfirmed), delete what must not run, then set review.status: confirmed.",
            "Validate with: ansible-playbook playbooks/validate.yml -e taskguard_task_inventory_dir=<this file>",
            "",
        ] + header))
        output = str(args["output"])
        try:
            _write_validated(output, text, today)
        except Exception as exc:  # noqa: BLE001 - never leave a half-written or invalid file behind
            return {"failed": True, "msg": "learned inventory not written: %s" % exc}
        return {"changed": True, "path": output, "paths": [output], "entry_count": len(entries), "hosts_learned": len(host_entries),
                "hosts_failed": failed_hosts, "incomplete": bool(failed_hosts), "problems": problems,
                "msg": "wrote %s: %d entries from %d host(s)%s" % (
                    output, len(entries), len(host_entries),
                    "; NOT learned: %s" % ", ".join(failed_hosts) if failed_hosts else "")}

    def _write_baselines(self, args, task_vars, today):
        """Kind baseline: one file per version, all or nothing."""
        hostvars = task_vars.get("hostvars") or {}
        by_family, refused, refused_hosts = {}, [], []
        for name in args.get("hosts") or []:
            registered = (hostvars.get(name) or {}).get(args["results_var"])
            learned = registered.get("learned") if isinstance(registered, dict) else None
            if not learned or not learned.get("ok") or learned.get("kind") != "baseline":
                reason = (learned or {}).get("error") or (registered or {}).get("msg") if isinstance(
                    registered, dict) else None
                refused.append("%s: %s" % (_comment_safe(name), _comment_safe(reason or "no result (unreachable?)", 600)))
                refused_hosts.append(name)
                continue
            family = str(learned.get("os_family"))
            if not _FAMILY_NAME.match(family):   # it names the file: checked again here
                refused.append("%s: %r is not a Windows version name" % (_comment_safe(name), _comment_safe(family)))
                refused_hosts.append(name)
                continue
            by_family.setdefault(family, []).append((name, learned))
        problems = list(refused)
        for family, hosts in sorted(by_family.items()):
            if len(hosts) > 1:
                problems.append("%d golden hosts of %s (%s): learn a baseline from one golden host per version "
                                "(limit the run with -l)" % (len(hosts), family, ", ".join(sorted(h for h, d in hosts))))
        if args.get("output") and len(by_family) > 1:
            problems.append("taskguard_baseline_output names one file but the hosts are of %d versions (%s): "
                            "give taskguard_baseline_dir instead" % (len(by_family), ", ".join(sorted(by_family))))
        if not by_family and not problems:
            problems.append("no host in this run (check taskguard_hosts and the limit)")
        if problems:
            # a baseline written from part of the golden hosts would read as complete
            return {"failed": True, "incomplete": True, "hosts_failed": refused_hosts,
                    "msg": "no baseline written: %s" % "; ".join(problems[:20])}
        written, total = [], 0
        for family, ((name, learned),) in sorted(by_family.items()):
            notes = ["Mode: %s; task sources read: %s." % (learned.get("mode"), ", ".join(
                sorted(k for k, v in (learned.get("sources") or {}).items() if v)) or "none")]
            notes += ["Collection error (the audit reports it as a coverage gap): %s" % _comment_safe(
                "%s: %s" % (e.get("source"), e.get("error")) if isinstance(e, dict) else e, 400)
                for e in (learned.get("errors") or [])[:20]]
            text = inventory_baseline.baseline_text(
                learned.get("entries") or [], inventory_baseline.GoldenHost(name, family, learned["build"], today),
                left_out=[tuple(item) for item in learned.get("left_out") or []],
                contact=args.get("contact") or CONFIRM_CONTACT, approver=args.get("approver") or CONFIRM_APPROVER,
                notes=notes)
            output = str(args["output"]) if args.get("output") else os.path.join(str(args["output_dir"]),
                                                                                 family + ".yml")
            try:
                _write_validated(output, text, today)
            except Exception as exc:  # noqa: BLE001 - reported; files already written stay valid
                return {"failed": True, "paths": written,
                        "msg": "baseline %s not written: %s%s" % (output, exc, "; written before: %s"
                                                                  % ", ".join(written) if written else "")}
            written.append(output)
            total += len(learned.get("entries") or [])
        return {"changed": True, "path": written[0], "paths": written, "entry_count": total,
                "hosts_learned": len(by_family), "hosts_failed": [], "incomplete": False, "problems": [],
                "msg": "wrote %s: %d entries from golden host(s) %s" % (
                    ", ".join(written), total, ", ".join(h for hs in by_family.values() for h, d in hs))}


def _write_validated(output, text, today):
    """Write *text* to *output* atomically, only when the inventory loader accepts it."""
    directory = os.path.dirname(os.path.abspath(output))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(prefix=".learned-", suffix=".yml", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        check = load_inventory([tmp_path], today=today)
        if check.errors:
            raise ValueError("; ".join(format_problem(p) for p in check.errors[:10]))
        os.replace(tmp_path, output)
    except BaseException:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise
