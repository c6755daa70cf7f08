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
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
    format_problem, load_inventory,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
    build_document, dump_document, merge_entries, propose_for_host,
)

_ARGS = argspec.from_documentation(DOCUMENTATION)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def _comment_safe(text, limit=300):
    # header comments carry host data: no line breaks, or a hostile task path could add YAML
    text = _CONTROL.sub("?", str(text))
    return text if len(text) <= limit else text[:limit - 3] + "..."


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
        if args.get("output"):
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
        doc = build_document(entries, owner_name=args["owner_name"], contact=args["contact"], kind="learned",
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
        except Exception as exc:  # noqa: BLE001 - never leave a half-written or invalid file behind
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            return {"failed": True, "msg": "learned inventory not written: %s" % exc}
        return {"changed": True, "path": output, "entry_count": len(entries), "hosts_learned": len(host_entries),
                "hosts_failed": failed_hosts, "incomplete": bool(failed_hosts), "problems": problems,
                "msg": "wrote %s: %d entries from %d host(s)%s" % (
                    output, len(entries), len(host_entries),
                    "; NOT learned: %s" % ", ".join(failed_hosts) if failed_hosts else "")}
