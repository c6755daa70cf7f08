# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Merge the drift.json of several slices (AWX job slicing) into one report.

A host that appears in several inputs (e.g. a slice re-run) keeps the entry
from the report generated last; the merged run lists every input it came from.
The fleet-joined task-account findings (TG-A020/A021/A022) and the table of who
is admin where are built again over every slice.
Inputs are size-capped and validated against schemas/drift_report.schema.json.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.document import (
    SCHEMA_VERSION, build_report, utc_now,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import (
    add_task_account_findings, fleet_administrators,
)

MAX_REPORT_BYTES = 512 * 1024 * 1024
# AWX slices a job into at most as many jobs as it has hosts; a report is data,
# and a gap list is built from its slice number: bounded (the schema says the same).
MAX_SLICE_NUMBER = 10000
SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                           "schemas", "drift_report.schema.json")


class ReportInputError(TaskGuardInputError):
    """A drift.json given to merge is unreadable or not a drift report."""


def _validator():
    try:
        import jsonschema
        with open(SCHEMA_PATH, "rb") as handle:
            schema = json.loads(handle.read().decode("utf-8"))
        return jsonschema.Draft202012Validator(schema)
    except (ImportError, OSError):  # pragma: no cover - schema ships with the collection
        return None


def validate_report(doc, where="report"):
    validator = _validator()
    if validator is None:
        return
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise ReportInputError("%s is not a valid drift report: %s at /%s (%d error(s))" % (
            where, first.message[:300], "/".join(str(p) for p in first.absolute_path), len(errors)))


def load_report(path):
    try:
        size = os.path.getsize(path)
        if size > MAX_REPORT_BYTES:
            raise ReportInputError("%s: larger than %d bytes" % (path, MAX_REPORT_BYTES))
        with open(path, "rb") as handle:
            doc = json.loads(handle.read().decode("utf-8"))
    except OSError as exc:
        raise ReportInputError("%s: cannot read: %s" % (path, exc.strerror or exc))
    except (ValueError, RecursionError) as exc:
        # RecursionError: deeply nested JSON (e.g. 100,000 '[') escaped as a bare
        # exception out of the merge action (issue 9).
        raise ReportInputError("%s: not valid JSON: %s" % (path, exc))
    if not isinstance(doc, dict) or doc.get("schema_version") != SCHEMA_VERSION:
        raise ReportInputError("%s: not a taskguard drift report of schema version %d" % (path, SCHEMA_VERSION))
    validate_report(doc, path)
    return doc


_NOT_AUDITED = ("unreachable", "failed")


def unaudited_hosts(hosts):
    """Sorted names of the hosts a report could not audit.

    A host is unaudited when its status is ``unreachable``/``failed``, or when
    its verdict (``hosts.<name>.verdict``, when the report has one) is
    ``not_audited`` or says no task source could be read - a critical event
    finding makes such a host "compromised", yet its tasks were never seen.
    """
    out = []
    for name, entry in (hosts or {}).items():
        entry = entry if isinstance(entry, dict) else {}
        verdict = entry.get("verdict") if isinstance(entry.get("verdict"), dict) else {}
        if entry.get("status") in _NOT_AUDITED or verdict.get("state") == "not_audited" \
                or verdict.get("task_sources_read") is False:
            out.append(str(name))
    return sorted(out)


def missing_slices(sources, expected):
    """Slice numbers 1..expected that no input came from (AWX numbers slices from 1).

    sources: the ``run.merged_from`` list, each with the ``slice_number`` its
    report recorded (drift.yml passes ``awx_job_slice_number`` when AWX gives it).
    """
    seen = set()
    for source in sources:
        try:
            seen.add(int(str(source.get("slice_number"))))
        except (TypeError, ValueError):
            continue
    return [n for n in range(1, int(expected or 0) + 1) if n not in seen]


def slice_gaps(sources):
    """Without the slice count: the numbers below the highest recorded slice number
    that no input came from (a slice 3 with no slice 2 means slice 2 is missing).
    [] when an input recorded no number (nothing can be said) or there is no gap;
    slices after the highest one can never be seen this way."""
    numbers = []
    for source in sources:
        try:
            numbers.append(int(str(source.get("slice_number"))))
        except (TypeError, ValueError):
            return []
    if not numbers or max(numbers) > MAX_SLICE_NUMBER:
        return []   # nothing can be said (and no list a hostile number could make huge)
    return missing_slices(sources, max(numbers))


def merge_reports(docs, run_id=None, expected_slices=None):
    """docs: list of (source name, report dict). Returns one report dict.

    With *expected_slices* (the AWX job's slice count) the merged run says
    which slices no input came from: ``run.missing_slices`` = ``{"expected",
    "found", "missing", "numbers"}`` (``numbers`` only lists slices whose
    number the inputs recorded), or None when every slice is there. Without it
    ``run.slice_count_known`` is false (whether a whole slice is missing cannot
    be known: merge_reports.yml fails unless told to accept it) and
    ``run.slice_gaps`` lists the recorded numbers missing below the highest one.
    """
    chosen = {}
    stamps = {}
    sources = []
    for name, doc in docs:
        run = doc.get("run") or {}
        stamp = str(run.get("generated_at") or "")
        sources.append({"source": str(name), "run_id": run.get("id"), "slice": run.get("slice"),
                        "slice_number": run.get("slice_number"),
                        "generated_at": run.get("generated_at"), "hosts": len(doc.get("hosts") or {})})
        for host, entry in (doc.get("hosts") or {}).items():
            if host not in chosen or stamp >= stamps[host]:
                chosen[host] = entry
                stamps[host] = stamp
    run = {"id": run_id or "merged-" + utc_now(), "slice": None, "merged_from": sources}
    if expected_slices:
        expected = int(expected_slices)
        numbered = all(s.get("slice_number") is not None for s in sources)
        numbers = missing_slices(sources, expected) if numbered else []
        # With slice numbers, a re-run slice (a new AWX job id, a second report)
        # counts once; without them, each distinct slice label counts.
        missing = len(numbers) if numbered else max(expected - len({(s["run_id"], s["slice"]) for s in sources}), 0)
        run["expected_slices"] = expected
        run["missing_slices"] = None if not missing else {
            "expected": expected, "found": expected - missing, "missing": missing, "numbers": numbers}
    run["slice_count_known"] = bool(expected_slices)
    if not expected_slices:
        run["slice_gaps"] = slice_gaps(sources)
    # Task accounts are fleet state (an account used on hosts of several slices, a
    # stored password of an account that is admin on a host of another slice):
    # joined again over every slice. Copies: the inputs stay as they were read.
    chosen = {host: dict(entry) for host, entry in chosen.items()}
    add_task_account_findings(chosen, rejoin=True)
    merged = build_report(chosen, run)
    # the fleet table of who is admin where, across every slice
    merged["administrators"] = fleet_administrators(merged["hosts"])
    return merged
