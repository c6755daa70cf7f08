# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin taskguard.windows.drift_merge: merge the drift.json of several
slices into one report (all formats). Runs on the controller only."""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import glob
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.taskguard.windows.plugins.modules.drift_merge import DOCUMENTATION
from ansible_collections.taskguard.windows.plugins.plugin_utils import argspec
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_merge import (
    ReportInputError, load_report, merge_reports, unaudited_hosts,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.write import write_reports
from ansible_collections.taskguard.windows.plugins.plugin_utils.state import ReportWriteError

_ARGS = argspec.from_documentation(DOCUMENTATION)
MAX_INPUTS = 10000


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(_ARGS)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = self.validate_argument_spec(argument_spec=_ARGS)[1]
        out_json = os.path.realpath(os.path.join(args["report_dir"], "drift.json"))
        files = []
        for pattern in args["inputs"]:
            matched = sorted(glob.glob(os.path.expanduser(pattern))) if any(c in pattern for c in "*?[") else [pattern]
            files.extend(m for m in matched if os.path.realpath(m) != out_json)
        files = sorted(set(files))
        if not files:
            raise AnsibleActionFail("no drift.json matched %s: check the run id (taskguard_run_id) or the input "
                                    "paths (taskguard_merge_inputs)" % args["inputs"])
        if len(files) > MAX_INPUTS:
            raise AnsibleActionFail("%d inputs; at most %d" % (len(files), MAX_INPUTS))
        try:
            docs = [(path, load_report(path)) for path in files]
        except ReportInputError as exc:
            raise AnsibleActionFail(str(exc))
        expected = args.get("expected_slices")
        if expected is not None and expected < 1:
            raise AnsibleActionFail("expected_slices must be 1 or more, got %d" % expected)
        doc = merge_reports(docs, run_id=args.get("run_id"), expected_slices=expected)
        try:
            paths = write_reports(doc, args["report_dir"], args["formats"])
        except ReportWriteError as exc:
            raise AnsibleActionFail("merged report could not be written: %s" % exc)
        result.update({"changed": True, "inputs": files, "paths": paths, "summary": doc["summary"],
                       "missing_slices": doc["run"].get("missing_slices"),
                       "slice_count_known": doc["run"]["slice_count_known"],
                       "slice_gaps": doc["run"].get("slice_gaps") or [],
                       "unaudited_hosts": unaudited_hosts(doc["hosts"])})
        return wrap_var(result)
