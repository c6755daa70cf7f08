# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight checks of a playbook's own inputs, run on the controller before any host.

An operator mistake (a misspelt ``taskguard_fail_on``, a wrong inventory folder,
an unwritable state folder, a host pattern that matches nothing, a file given
as an evidence folder) must stop the run before anything is collected, with one
message per problem that names the variable to fix. Every check here is pure
Python returning a list of such messages (empty = fine); the action plugin
``taskguard.windows.preflight`` only gathers the values and fails.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import dataclasses
import os
import uuid

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")
MAX_LISTED = 10
# Inventory problems that must not stop a fleet audit: an expired entry is a
# drift finding of its own (the entry is ignored, its task reported), not an
# operator mistake.
INVENTORY_CODES_ALLOWED = frozenset(("expired",))


def check_choice(name, value, choices):
    """``name`` must be one of ``choices`` (compared as text, case-sensitive like
    Ansible); for a list value, every item must be."""
    allowed = [str(c) for c in choices]
    if isinstance(value, (list, tuple)):
        wrong = [v for v in value if str(v) not in allowed]
        if not wrong:
            return []
        verb = "is" if len(wrong) == 1 else "are"
        return ["%s: %s %s not one of: %s" % (name, ", ".join(repr(str(v)) for v in wrong), verb, ", ".join(allowed))]
    if str(value) in allowed:
        return []
    return ["%s=%r is not one of: %s" % (name, str(value), ", ".join(allowed))]


def check_exists(name, paths):
    """Each path exists (a file or a folder)."""
    paths = paths if isinstance(paths, (list, tuple)) else [paths]
    return ["%s: %s does not exist" % (name, p) for p in (str(p) for p in paths) if not os.path.exists(p)]


def check_files(name, paths):
    """Each path is a readable regular file (risk rule files and the like)."""
    paths = paths if isinstance(paths, (list, tuple)) else [paths]
    problems = []
    for path in paths:
        path = str(path)
        if not os.path.isfile(path):
            problems.append("%s: %s %s" % (name, path, "is not a file" if os.path.exists(path) else "does not exist"))
        elif not os.access(path, os.R_OK):
            problems.append("%s: %s is not readable" % (name, path))
    return problems


def check_bool(name, value):
    if isinstance(value, bool) or str(value).strip().lower() in _TRUE + _FALSE:
        return []
    return ["%s=%r is not a boolean (true or false)" % (name, value)]


def check_positive_int(name, value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        number = 0
    if number > 0 and not isinstance(value, bool):
        return []
    return ["%s=%r is not a positive whole number" % (name, value)]


def check_date(name, value):
    """A calendar date written YYYY-MM-DD."""
    import datetime
    try:
        datetime.date.fromisoformat(str(value).strip())
        return []
    except ValueError:
        return ["%s=%r is not a calendar date (YYYY-MM-DD)" % (name, value)]


def check_hosts(name, pattern, hosts):
    """The host pattern must leave at least one host once --limit is applied."""
    if hosts:
        return []
    return ["%s=%r matches no host of the inventory (after --limit / the AWX job limit): nothing would be audited"
            % (name, pattern)]


def check_inventory_paths(name, paths, *, today=None, warnings=None):
    """Every inventory path exists and the inventory can be used.

    Stops the run (a problem) when a path does not exist, no inventory file is
    found, or files were found but not one entry is usable: a wrong folder used
    to give a clean-looking run with every task "undocumented". Entries with
    errors next to usable ones are appended to *warnings* instead: the audit
    ignores exactly those entries (which can only add findings, never hide one)
    and reports them as a coverage gap, so one broken vendor file cannot stop
    the audit of the whole fleet.

    A caller that passes no *warnings* list has nowhere to show that warning:
    it is then returned as a problem (the run stops) rather than dropped, so a
    new caller cannot lose it silently.
    """
    paths = [str(p) for p in (paths if isinstance(paths, (list, tuple)) else [paths]) if str(p or "").strip()]
    if not paths:
        return ["%s is empty: give the task inventory folder(s) or file(s)" % name]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        return ["%s: %s does not exist" % (name, p) for p in missing]
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (
        format_problem, load_inventory,
    )
    try:
        inventory = load_inventory(paths, today=today)
    except Exception as exc:  # noqa: BLE001 - any failure to load is a problem to report, not a crash
        return ["%s: the task inventory could not be loaded: %s" % (name, exc)]
    if not inventory.files:
        return ["%s: no inventory file (*.yml, *.yaml) found in %s" % (name, ", ".join(paths))]
    errors = [p for p in inventory.errors if p.get("code") not in INVENTORY_CODES_ALLOWED]
    if not errors:
        return []
    lines = [format_problem(p) for p in errors[:MAX_LISTED]]
    more = " (and %d more)" % (len(errors) - MAX_LISTED) if len(errors) > MAX_LISTED else ""
    listing = "%d error(s)%s; run playbooks/validate.yml on it:\n  %s" % (len(errors), more, "\n  ".join(lines))
    if not inventory.entries:
        return ["%s: not one usable entry in %s (wrong folder?): %s" % (name, ", ".join(paths), listing)]
    warning = "%s: entries with errors are ignored by the audit and reported as a coverage gap: %s" % (name, listing)
    if warnings is None:
        return [warning]
    warnings.append(warning)
    return []


def check_risk_rules(name, paths):
    """Extra risk rule files exist and compile together with the built-in rules.

    A broken rule file used to fail the audit of every host, which then read as
    "no host could be audited" instead of naming the file.
    """
    paths = [str(p) for p in (paths if isinstance(paths, (list, tuple)) else [paths]) if str(p or "").strip()]
    problems = check_files(name, paths)
    if problems or not paths:
        return problems
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
    try:
        audit_support.load_rules(paths)
    except Exception as exc:  # noqa: BLE001 - any failure to compile is a problem to report, not a crash
        return ["%s: %s" % (name, str(exc)[:1000])]
    return []


def check_writable_dir(name, path):
    """Create *path* if needed and prove it is writable with a probe file (created, removed)."""
    path = str(path or "")
    if not path.strip():
        return ["%s is empty" % name]
    if os.path.exists(path) and not os.path.isdir(path):
        return ["%s=%s is a file, not a folder" % (name, path)]
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        return ["%s=%s cannot be created: %s" % (name, path, exc.strerror or exc)]
    probe = os.path.join(path, ".taskguard-preflight-%s" % uuid.uuid4().hex)
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return ["%s=%s is not writable: %s" % (name, path, exc.strerror or exc)]
    return []


def check_output_file(name, path):
    """A file to be written: not a folder, and its folder writable (created when missing)."""
    path = str(path or "")
    if not path.strip():
        return ["%s is empty: give the file to write" % name]
    if os.path.isdir(path):
        return ["%s=%s is a folder; give a file name" % (name, path)]
    folder = os.path.dirname(os.path.abspath(path))
    return [p.replace("%s (its folder)=" % name, "%s: the folder " % name, 1)
            for p in check_writable_dir("%s (its folder)" % name, folder)]


def check_offline_root(host, path, name="taskguard_offline_root"):
    """An evidence folder given for *host* must be a folder.

    A file is an operator mistake and stops the run. A path that does not exist
    is not checked here: evidence of one host may arrive late or be lost, and
    that host is then reported as not audited (the run fails after the reports
    are written, docs/drift.md "Exit codes") instead of stopping the whole fleet.
    """
    if path is None or str(path) == "":
        return []
    path = str(path)
    if os.path.exists(path) and not os.path.isdir(path):
        return ["%s for host %s is a file, not an evidence folder: %s" % (name, host, path)]
    return []


# Python libraries a WinRM transport needs on the controller (ansible's winrm
# connection plugin and pywinrm import these; requirements-winrm.txt installs them).
WINRM_TRANSPORT_LIBRARIES = {
    "kerberos": ("kerberos", "pywinrm[kerberos] (pykerberos; system package krb5 headers, see bindep.txt)"),
    "credssp": ("requests_credssp", "pywinrm[credssp] (requests-credssp)"),
}


def _importable(module):
    import importlib.util
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def check_connection_libraries(host, connection, transport, *, importable=None):
    """The controller can start *host*'s connection: the libraries its transport needs import.

    A Kerberos connection without the kerberos library used to fail per host at
    collection time; found here it stops the run with the fix.
    """
    importable = importable or _importable
    connection = str(connection or "").rsplit(".", 1)[-1]
    if connection == "psrp":
        return [] if importable("pypsrp") else [
            "ansible_connection=psrp for host %s needs the Python library pypsrp on the controller "
            "(pip install -r requirements.txt)" % host]
    if connection != "winrm":
        return []
    if not importable("winrm"):
        return ["ansible_connection=winrm for host %s needs the Python library pywinrm on the controller "
                "(pip install -r requirements.txt)" % host]
    transports = transport if isinstance(transport, (list, tuple)) else str(transport or "").split(",")
    problems = []
    for name in [str(t).strip().lower() for t in transports if str(t).strip()]:
        module, package = WINRM_TRANSPORT_LIBRARIES.get(name, (None, None))
        if module and not importable(module):
            problems.append("ansible_winrm_transport=%s for host %s needs the Python library %s on the controller: "
                            "install %s, e.g. pip install -r requirements-winrm.txt" % (name, host, module, package))
    return problems


@dataclasses.dataclass(frozen=True)
class PreflightInputs:
    """The values one playbook's preflight checks, one field per kind of check.

    A record instead of thirteen keyword arguments (issue 22): the action gathers
    it, :func:`run_checks` reads it. Every field is optional (empty = nothing of
    that kind to check).

    choices: {name: (value, [choices])}; bools / positive_ints / dates: {name: value};
    hosts: (name, pattern, [hosts]) or None; inventory: {name: [paths, ...]}
    (one list per distinct value, e.g. per host); writable: {name: path};
    files: {name: [paths]}; existing: {name: [paths]} (file or folder);
    risk_rules: {name: [rule files]}; outputs: {name: file to write};
    offline_roots: {host: path}; connections: {host: (ansible_connection,
    ansible_winrm_transport)} of the hosts contacted live.
    """
    choices: dict = None
    bools: dict = None
    positive_ints: dict = None
    dates: dict = None
    hosts: tuple = None
    inventory: dict = None
    writable: dict = None
    files: dict = None
    existing: dict = None
    risk_rules: dict = None
    outputs: dict = None
    offline_roots: dict = None
    connections: dict = None


def _each(mapping, check):
    """check(name, value) over *mapping* in name order: the messages come out in a stable order."""
    problems = []
    for name, value in sorted((mapping or {}).items()):
        problems += check(name, value)
    return problems


def _check_inventories(inventory, today, warnings):
    """Each distinct inventory value once (many hosts usually name the same folder)."""
    problems = []
    for name, value_lists in sorted((inventory or {}).items()):
        seen = set()
        for paths in value_lists:
            key = tuple(str(p) for p in (paths if isinstance(paths, (list, tuple)) else [paths]))
            if key in seen:
                continue
            seen.add(key)
            problems += check_inventory_paths(name, list(key), today=today, warnings=warnings)
    return problems


def _check_connections(connections):
    """One line per missing library, not per host: the first host named, the others counted."""
    by_library = {}
    for host, (connection, transport) in sorted((connections or {}).items()):
        for problem in check_connection_libraries(host, connection, transport):
            by_library.setdefault(problem.split(" for host ")[0], []).append(problem)
    return [same[0] if len(same) == 1 else same[0].replace(
        " needs the ", " (and %d more host(s)) needs the " % (len(same) - 1), 1) for same in by_library.values()]


def run_checks(inputs, *, today=None, warnings=None):
    """All problems of one playbook's inputs (a :class:`PreflightInputs`), in a stable order.

    Entries of the task inventory that have errors next to usable ones are
    appended to *warnings*, or returned as problems when no list is given (see
    :func:`check_inventory_paths`).
    """
    problems = _each(inputs.choices, lambda name, spec: check_choice(name, *spec))
    problems += _each(inputs.bools, check_bool)
    problems += _each(inputs.positive_ints, check_positive_int)
    problems += _each(inputs.dates, check_date)
    if inputs.hosts is not None:
        problems += check_hosts(*inputs.hosts)
    problems += _check_inventories(inputs.inventory, today, warnings)
    problems += _each(inputs.files, check_files)
    problems += _each(inputs.existing, check_exists)
    problems += _each(inputs.risk_rules, check_risk_rules)
    problems += _each(inputs.outputs, check_output_file)
    problems += _each(inputs.writable, check_writable_dir)
    problems += _each(inputs.offline_roots, check_offline_root)
    return problems + _check_connections(inputs.connections)
