# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin taskguard.windows.drift_report (runs on localhost).

Builds the report of this run (this slice) from the registered ``audit``
results of the hosts the play targeted, marking hosts without a usable result as
``unreachable``/``failed`` findings, writes every format atomically, and only
then advances the event bookmarks of the audited hosts.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime
import re

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.drift_report import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_surface, argspec
from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, result_spool
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report, fail_on_reached
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import FORMATS, write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import unaudited_hosts
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import ReportWriteError

_ARGS = argspec.from_documentation(DOCUMENTATION)
_KEY_SAFE = re.compile(r"[^A-Za-z0-9_]")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGS)

    @staticmethod
    def _offline_results(name, task_vars):
        """{host: registered result} from the registered result of audit_offline, read as
        registered: passing it as ``results`` would have Ansible template every host's
        result again (~1.5 ms per host, in this one serial step)."""
        if not name:
            return {}
        registered = task_vars.get(name)
        if not isinstance(registered, dict) or registered.get("failed") or registered.get("skipped"):
            return {}   # the batch failed as a whole: its hosts were audited per host
        hosts = registered.get("hosts")
        if not isinstance(hosts, dict):
            raise AnsibleActionFail("%s is not the registered result of taskguard.windows.audit_offline" % name)
        return {str(host): result for host, result in hosts.items()}

    def _host_results(self, hosts, given, result_var, task_vars, state_dir):
        """({host: audit result}, {host: spool reference of the files read})."""
        given = given or {}
        hostvars = task_vars.get("hostvars") or {}
        out = {}
        for host in hosts:
            if host in given:   # e.g. the evidence folders audit_offline audited in one task
                out[host] = given[host]
                continue
            try:
                hv = hostvars[host]
                out[host] = hv.get(result_var) if hasattr(hv, "get") else None
            except Exception:
                out[host] = None
        # results the audit spooled to a file (audit option spool) are read back here
        return result_spool.resolve(state_dir, out)

    def _keep_state(self, args, results):
        """(hosts whose bookmark advanced, bookmark errors, GPO state errors): each audited
        host's event bookmark and GPO task state kept, only after the reports were written,
        never in check mode. Both are written without fsync and flushed by ONE sync of the
        state dir for the whole run (an fsync per file costs 2-5 ms, per host, in the one
        report task); a failed sync is an error of every kind that was written, never
        swallowed. Errors: [{"host": name or None (the sync), "error": text}]."""
        advanced, bookmark_errors, gpo_errors = [], [], []
        # Check mode: the reports are written (they are the point of the run), the
        # state is not, so a dry run never moves the event window nor the GPO baseline.
        check_mode = bool(getattr(self._task, "check_mode", False) or getattr(self._play_context, "check_mode", False))
        state_dir = args.get("state_dir")
        if not (state_dir and args["advance_bookmarks"] and not check_mode):
            return advanced, bookmark_errors, gpo_errors
        gpo_written = 0
        for host, res in sorted(results.items()):
            if not isinstance(res, dict) or res.get("failed") or res.get("unreachable"):
                continue
            if res.get("gpo_state") is not None:
                try:
                    # what SYSVOL held, for "added since the last audit" next run (docs/least-privilege.md)
                    admin_surface.save_state(state_dir, host, res["gpo_state"], durable=False)
                    gpo_written += 1
                except Exception as exc:
                    gpo_errors.append({"host": host, "error": str(exc)})
            bookmark = res.get("bookmark")
            if not bookmark:
                continue
            try:
                audit_support.write_bookmark(state_dir, host, dict(bookmark), durable=False)
                advanced.append(host)
            except Exception as exc:
                bookmark_errors.append({"host": host, "error": str(exc)})
        if advanced or gpo_written:
            try:
                # os.sync and the state dir: flushes the bookmarks and the GPO states alike
                audit_support.sync_bookmarks(state_dir)
            except Exception as exc:
                if advanced:
                    bookmark_errors.append({"host": None, "error": "bookmarks written but not flushed to disk: %s" % exc})
                if gpo_written:
                    gpo_errors.append({"host": None, "error": "GPO task states written but not flushed to disk: %s"
                                       % exc})
        return advanced, bookmark_errors, gpo_errors

    def _after_reports(self, args, results, spooled):
        """The state kept once the reports exist (``_keep_state``) and the spooled
        results deleted; every failure is a warning. Returns what _keep_state returns."""
        advanced, bookmark_errors, gpo_errors = self._keep_state(args, results)
        if bookmark_errors:
            self._display.warning("event bookmarks not advanced for %d host(s); their events will be read again next run: %s"
                                  % (len(bookmark_errors), "; ".join("%s: %s" % (e["host"], e["error"]) for e in bookmark_errors[:5])))
        if gpo_errors:
            self._display.warning("GPO task state not kept (the next run compares with the older one): %s"
                                  % "; ".join("%s: %s" % (e["host"], e["error"]) for e in gpo_errors[:5]))
        spool_errors = result_spool.discard(args.get("state_dir"), spooled)
        if spool_errors:
            self._display.warning("audit result files not removed from the state dir: %s" % "; ".join(spool_errors[:5]))
        return advanced, bookmark_errors, gpo_errors

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=_ARGS)[1]
        unknown = [f for f in args["formats"] if f not in FORMATS]
        if unknown:
            raise AnsibleActionFail("unknown report format(s) %s (known: %s)" % (unknown, ", ".join(FORMATS)))

        now = datetime.datetime.now(datetime.timezone.utc)
        run_id = args.get("run_id") or str(task_vars.get("awx_workflow_job_id") or task_vars.get("awx_job_id") or
                                           "run-" + now.strftime("%Y%m%dT%H%M%SZ"))
        slice_id = args.get("slice")
        given = dict(self._offline_results(args.get("offline_result_var"), task_vars), **(args.get("results") or {}))
        results, spooled = self._host_results(args["hosts"], given, args["result_var"], task_vars,
                                              args.get("state_dir"))
        run = {"id": run_id, "slice": slice_id}
        if args.get("slice_number") is not None:
            run["slice_number"] = args["slice_number"]   # lets drift_merge name a missing slice
        # inventory_dir and rule_files are recorded only: each host was judged by its audit
        # with its own inventory (taskguard_task_inventory_dir) and rules
        doc = build_run_report(results, run=dict(run, **{
            "inventory_dir": ",".join(args.get("inventory_dir") or []) or None,
            "rule_files": list(args.get("rule_files") or [])}), compliance_dir=args.get("compliance_dir"))
        try:
            paths = write_reports(doc, args["report_dir"], args["formats"], language=args["language"])
        except ReportWriteError as exc:
            raise AnsibleActionFail("drift reports could not be written (event bookmarks were NOT advanced): %s" % exc)

        advanced, bookmark_errors, gpo_errors = self._after_reports(args, results, spooled)

        stats_key = "taskguard_drift_" + _KEY_SAFE.sub("_", str(slice_id or run_id))
        summary = doc["summary"]
        # hosts the run could not look at: the playbook fails the job on them
        # (taskguard_fail_on_unaudited), after these reports were written
        unaudited = unaudited_hosts(doc["hosts"])
        result.update({
            "changed": True,
            "report_dir": args["report_dir"],
            "paths": paths,
            "run_id": run_id,
            "slice": slice_id,
            "summary": summary,
            "stats_key": stats_key,
            "stats": {stats_key: {"run_id": run_id, "slice": slice_id, "report_dir": args["report_dir"],
                                  "hosts": summary["hosts"], "hosts_by_status": summary["hosts_by_status"],
                                  "findings": summary["findings"], "by_severity": summary["by_severity"],
                                  "highest_severity": summary["highest_severity"],
                                  "unaudited_hosts": unaudited}},
            "unaudited_hosts": unaudited,
            "bookmarks_advanced": advanced,
            "bookmark_errors": bookmark_errors,
            "gpo_state_errors": gpo_errors,
            "fail_on": args["fail_on"],
            "fail_on_reached": fail_on_reached(summary, args["fail_on"]),
        })
        return wrap_var(result)
