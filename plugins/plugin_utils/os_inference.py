# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Windows version an evidence folder's task paths point to, when nothing better exists.

Used offline only when neither a SOFTWARE hive nor a ``reg export`` of
``...\\Windows NT\\CurrentVersion`` came with the evidence. The answer scopes the
built-in baselines, so a wrong confident guess would apply the wrong baseline
(and a wrong baseline can document a task that is not built in on the real
version). The rules are therefore deliberately conservative:

* each version with a recorded source has the ``\\Microsoft\\Windows\\`` task
  paths of that source (``task_inventory/baselines/os_signatures.json``, written
  by tools/build_inventory_baseline.py from the same material as the
  baselines); a *marker* of a version is a path no other version's source shows;
* a version is inferred only when the folder holds at least ``MIN_MARKERS`` of
  its markers, **every** ``\\Microsoft\\Windows\\`` task of the folder that any
  source knows is in that version's source (so its baseline alone documents
  what the union of all baselines would have documented), and no version of
  the same product type (client/server) is without a recorded source (such a
  version can never be ruled out: a server folder is never labelled 2019 while
  2016, 2022 and 2025 have no source);
* everything else answers ``unknown`` with the reason, and the union of all
  built-in baselines applies.

``infer_os_family(paths, signatures=None) -> dict``:
``{"os_family", "confidence": "high"|None, "markers": {family: [paths]}, "reason"}``
(plus ``"product_type": "client"|"server"`` when a version was inferred).
Pure: no file access except loading the shipped signatures when none are given.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import json
import os

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIGNATURES_PATH = os.path.join(COLLECTION_ROOT, "task_inventory", "baselines", "os_signatures.json")
MIN_MARKERS = 5
MAX_PATHS = 100000          # a hostile folder cannot make this quadratic or unbounded
MAX_SIGNATURE_BYTES = 4 * 1024 * 1024
_REPORTED_MARKERS = 10      # per family, in the result (evidence, not the whole list)

_signatures = None


def load_signatures(path=SIGNATURES_PATH):
    """The shipped signatures; None when the file is missing or malformed (then: unknown)."""
    global _signatures
    if path == SIGNATURES_PATH and _signatures is not None:
        return _signatures
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read(MAX_SIGNATURE_BYTES + 1).decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not _valid(data):
        return None
    if path == SIGNATURES_PATH:
        _signatures = data
    return data


def _valid(data):
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict):
        return False
    for spec in data["families"].values():
        if not isinstance(spec, dict) or spec.get("product_type") not in ("client", "server"):
            return False
        if not isinstance(spec.get("paths"), list) or not all(isinstance(m, str) for m in spec["paths"]):
            return False
    return isinstance(data.get("without_source"), dict)


def _unknown(reason, markers=None):
    return {"os_family": "unknown", "confidence": None, "markers": markers or {}, "reason": reason}


def infer_os_family(paths, signatures=None):
    """Infer the os_family from task paths (see the module docstring)."""
    if signatures is None:
        signatures = load_signatures()
    if not signatures or not _valid(signatures):
        return _unknown("no version signatures available")
    present = set()
    for index, path in enumerate(paths or ()):
        if index >= MAX_PATHS:
            return _unknown("more than %d task paths: no inference" % MAX_PATHS)
        if isinstance(path, str) and path.casefold().startswith("\\microsoft\\windows\\"):
            present.add(path.casefold())
    known = {family: {p.casefold() for p in spec["paths"]} for family, spec in signatures["families"].items()}
    spelling = {p.casefold(): p for spec in signatures["families"].values() for p in spec["paths"]}
    found = {}
    for family in sorted(known):
        others = set().union(*(known[f] for f in known if f != family)) if len(known) > 1 else set()
        hits = sorted(present & (known[family] - others))
        if hits:
            found[family] = hits
    evidence = {family: [spelling[h] for h in hits[:_REPORTED_MARKERS]] for family, hits in found.items()}
    if not found:
        return _unknown("no version-specific built-in task found", evidence)
    if len(found) > 1:
        return _unknown("tasks specific to several versions (%s): conflicting evidence"
                        % ", ".join(sorted(found)), evidence)
    family, hits = next(iter(found.items()))
    if len(hits) < MIN_MARKERS:
        return _unknown("only %d task(s) specific to %s (at least %d needed)" % (len(hits), family, MIN_MARKERS),
                        evidence)
    foreign = sorted((present & set().union(*known.values())) - known[family])
    if foreign:
        return _unknown("tasks point to %s, but %d known built-in task(s) of the folder are not in its source "
                        "(e.g. %s)" % (family, len(foreign), foreign[0]), evidence)
    product_type = signatures["families"][family]["product_type"]
    unprovable = sorted(f for f, p in signatures["without_source"].items() if p == product_type)
    if unprovable:
        return _unknown("tasks point to %s, but %s cannot be ruled out (no recorded source)"
                        % (family, ", ".join(unprovable)), evidence)
    return {"os_family": family, "confidence": "high", "markers": evidence, "product_type": product_type,
            "reason": "%d task(s) that only %s ships among the recorded sources, and every known built-in "
                      "task of the folder is one of its own" % (len(hits), family)}
