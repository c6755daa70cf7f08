# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scheduled tasks delivered by Group Policy Preferences (SYSVOL ``ScheduledTasks.xml``).

A GPO can create a task on every computer it applies to, and an "immediate"
task runs once right after the next policy refresh: the same attack as a
remote ``schtasks /S``, at domain scale (SharpGPOAbuse, New-GPOImmediateTask).
This module finds and parses the preference files; judging is in
``admin_findings``.

File format ([MS-GPPREF] 2.2.1.18 Scheduled Tasks): root ``ScheduledTasks``
holding items ``Task`` / ``ImmediateTask`` (Windows XP style: the command is
in ``Properties`` attributes ``appName``, ``args``, ``startIn``, ``runAs``) and
``TaskV2`` / ``ImmediateTaskV2`` (``Properties`` carries ``runAs``/``logonType``
and a child ``Task`` element in the Task Scheduler schema, parsed here by the
same ``task_model.parse_task_definition`` as local tasks). Each item has
``name``, ``changed``, ``uid``, ``disabled``, ``removePolicy``, ``userContext``
attributes; ``Properties@action`` is C/R/U/D (default U); item-level targeting
is a ``Filters`` child (``FilterRunOnce`` = "apply once").

Where the files are (``Policies\\{GPO GUID}\\{Machine|User}\\Preferences\\
ScheduledTasks\\ScheduledTasks.xml``):

* offline evidence of a domain controller: ``Windows/SYSVOL/domain/Policies``
  or ``Windows/SYSVOL/sysvol/<domain>/Policies`` under the evidence root (the
  latter is a junction to the former on a real DC: GPOs are de-duplicated);
* a copied SYSVOL (``sysvol_root``): a ``Policies`` folder, or a folder holding
  ``Policies``, ``domain/Policies``, ``sysvol/<domain>/Policies`` or
  ``<domain>/Policies``;
* live: raw bytes returned by ``AdminMaterial.psm1`` (``parse_live_material``).

Inventory path convention: a GPO task is matched against the task inventory
as ``\\GPO\\{GUID}\\Machine\\<name>`` or ``\\GPO\\{GUID}\\User\\<name>`` (GUID
upper case; matching is case-insensitive). The scope is part of the path
because the same name may be used in both halves of one GPO.

Everything here is hostile input: sizes and counts are capped (per file, per
folder listing, files and bytes per read), XML goes through ``safe_xml``, links
and junctions inside a Policies folder are never followed (offline), and every
folder that could not be listed and every file that could not be read or
parsed is reported (``errors``/``unparseable``), never skipped. Only a read
with neither (``fully_read``) lets a GPO task's absence mean it was removed.
The stored password of a preference item (``cpassword``, decryptable with
the key Microsoft published, MS14-025) is never copied: only its presence.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import base64
import codecs
import collections
import os
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError, clip_text, host_text
# the bounded, link-refusing file read shared with the task-file walk (issue 22)
from ansible_collections.taskguard.windows.plugins.plugin_utils.offline_tasks import is_inside, read_regular_file
from ansible_collections.taskguard.windows.plugins.plugin_utils.safe_xml import local_name, parse_xml
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import (
    empty_task, fingerprint, parse_task_definition,
)

try:
    from lxml import etree
except ImportError:  # pragma: no cover - lxml is in requirements.txt
    etree = None

ITEM_TYPES = ("Task", "ImmediateTask", "TaskV2", "ImmediateTaskV2")
ACTIONS = ("C", "R", "U", "D")
SCOPES = (("Machine", "machine"), ("User", "user"))
# Real files hold a handful of items; these bound a hostile SYSVOL.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_GPT_INI_BYTES = 64 * 1024
MAX_GPO_FOLDERS = 5000
MAX_ITEMS_PER_FILE = 2000
MAX_NAME_CHARS = 256
# Offline SYSVOL read as a whole: GPT.INI and two ScheduledTasks.xml per GPO at most,
# a total byte budget, and a cap on the entries listed per folder.
MAX_FILES = 3 * MAX_GPO_FOLDERS
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_FOLDER_ENTRIES = 4 * MAX_GPO_FOLDERS
# Listings a read keeps for its lookups (_Read.listing): a folder is looked up through
# several times (a GPO folder for GPT.INI, Machine and User; a copied SYSVOL's top for
# each layout). Past this many entries kept, a folder is listed again when asked.
MAX_KEPT_LISTING_ENTRIES = MAX_FOLDER_ENTRIES
_GUID = re.compile(r"\A\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FILTER_ATTRS = ("name", "sid", "userContext", "primaryGroup", "localGroup", "value", "type", "hive", "key",
                 "valueName", "min", "max", "bool", "not")


class GpoFileError(TaskGuardInputError):
    """A ScheduledTasks.xml that is not a Group Policy scheduled-tasks preference file."""


def gpo_task_path(gpo_guid, scope, name):
    """The inventory path of a GPO task (see the module docstring)."""
    return "\\GPO\\%s\\%s\\%s" % (str(gpo_guid or "").upper(), "User" if scope == "user" else "Machine",
                                  name or "")


def _clean(text, limit=MAX_NAME_CHARS):
    if text is None:
        return None
    text = _CONTROL.sub("", str(text)).strip()
    return text[:limit] if text else None


# ------------------------------------------------------------------ GPT.INI
def parse_gpt_ini(data):
    """Display name of a GPO from its GPT.INI bytes (``[General] displayName=``); None when absent.

    GPT.INI is written by the GPMC as ANSI or UTF-16; an unreadable file only
    loses the name (the GUID still identifies the GPO).
    """
    if not data:
        return None
    data = bytes(data[:MAX_GPT_INI_BYTES])
    if data.startswith(codecs.BOM_UTF16_LE) or (len(data) > 1 and data[1:2] == b"\x00"):
        text = data.decode("utf-16-le", "replace").lstrip("\ufeff")
    elif data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", "replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    section = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().casefold()
            continue
        if section in (None, "general") and "=" in line:
            key, value = line.split("=", 1)
            if key.strip().casefold() == "displayname":
                return _clean(value)
    return None


# ------------------------------------------------------- ScheduledTasks.xml
def _filters(item):
    out = []
    for child in item:
        if local_name(child.tag) != "Filters":
            continue
        for flt in child:
            kind = local_name(flt.tag)
            if not kind:
                continue
            entry = {"type": kind}
            for attr in _FILTER_ATTRS:
                if flt.get(attr) is not None:
                    entry[attr] = _clean(flt.get(attr))
            out.append(entry)
            if len(out) >= 50:
                return out
    return out


def _v1_triggers(props):
    out = []
    for child in props:
        if local_name(child.tag) != "Triggers":
            continue
        for trig in child:
            if local_name(trig.tag) != "Trigger":
                continue
            kind = (trig.get("type") or "other").casefold()
            out.append({"type": kind, "enabled": True, "start_boundary": None, "user_id": None, "delay": None,
                        "repetition_interval": None, "subscription": None, "raw_type": trig.get("type")})
    return out


def _v1_definition(props, path, scope):
    """Normalized task (task_model shape) of a Task/ImmediateTask item's Properties."""
    task = empty_task(path)
    command = props.get("appName")
    task["actions"] = [{"type": "exec", "raw_type": "Exec", "command": command or None,
                        "arguments": props.get("args") or None, "working_directory": props.get("startIn") or None,
                        "class_id": None, "data": None}] if command else []
    run_as = props.get("runAs") or None
    task["principal"] = {"id": None, "user_id": run_as, "group_id": None,
                         "logon_type": props.get("logonType") or None, "run_level": None}
    enabled = props.get("enabled")
    task["enabled"] = enabled not in ("0", "false", "False")
    task["hidden"] = False
    task["description"] = _clean(props.get("comment"), 2048)
    task["triggers"] = _v1_triggers(props)
    task["schema_version"] = "gpp-v1"
    task["fingerprint"] = fingerprint(task)
    return task


def _v2_definition(props, path, what):
    """Normalized task of a TaskV2/ImmediateTaskV2 item: its embedded <Task> in the task schema."""
    inner = None
    for child in props:
        if local_name(child.tag) == "Task":
            inner = child
            break
    if inner is None:
        raise GpoFileError("%s: Properties has no embedded <Task> definition" % what)
    blob = etree.tostring(inner, encoding="utf-8")
    return parse_task_definition(blob, path=path)


# Where a preference item comes from: its GPO, the half of the GPO, the file it was read from.
_Source = collections.namedtuple("_Source", "gpo_guid gpo_name scope source_path")


def _item(elem, item_type, source, index):
    what = "%s item %d (%s)" % (source.source_path, index, item_type)
    props = None
    for child in elem:
        if local_name(child.tag) == "Properties":
            props = child
            break
    if props is None:
        raise GpoFileError("%s: no <Properties> element" % what)
    name = _clean(props.get("name") or elem.get("name"))
    if not name:
        raise GpoFileError("%s: item without a name" % what)
    action = (props.get("action") or "U").strip().upper()
    path = gpo_task_path(source.gpo_guid, source.scope, name)
    if item_type.endswith("V2"):
        definition = _v2_definition(props, path, what)
    else:
        definition = _v1_definition(props, path, source.scope)
    principal = definition.get("principal") or {}
    run_as = _clean(props.get("runAs")) or _clean(principal.get("user_id")) or _clean(principal.get("group_id"))
    filters = _filters(elem)
    return {
        "gpo_guid": source.gpo_guid.upper(), "gpo_name": source.gpo_name, "scope": source.scope,
        "item_type": item_type, "immediate": item_type.startswith("Immediate"),
        "action": action if action in ACTIONS else action[:8], "action_valid": action in ACTIONS,
        "name": name, "path": path,
        "actions": [{"type": a.get("type"), "command": a.get("command"), "arguments": a.get("arguments"),
                     "working_directory": a.get("working_directory")} for a in definition.get("actions") or []],
        "run_as": run_as, "run_as_default": run_as is None,
        "logon_type": _clean(props.get("logonType")) or _clean(principal.get("logon_type")),
        "run_level": _clean(principal.get("run_level")),
        "source_path": source.source_path, "changed": _clean(elem.get("changed"), 40),
        "uid": _clean(elem.get("uid"), 80),
        "disabled": elem.get("disabled") == "1", "remove_policy": elem.get("removePolicy") == "1",
        "user_context": elem.get("userContext") == "1",
        "run_once": elem.get("runOnce") == "1" or any(f["type"] == "FilterRunOnce" for f in filters),
        "filters": filters, "stored_password": bool((props.get("cpassword") or "").strip()),
        "fingerprint": definition.get("fingerprint"), "definition": definition,
    }


def parse_scheduled_tasks_xml(data, *, gpo_guid, gpo_name=None, scope="machine", source_path=""):
    """Parse one ScheduledTasks.xml; return (tasks, unparseable items).

    Raises ``TaskGuardInputError`` when the file as a whole is unusable (unsafe,
    not well-formed, not a ScheduledTasks document). One bad item does not lose
    the others: it is returned in the second list with the reason.
    """
    root = parse_xml(data, max_bytes=MAX_FILE_BYTES, what=source_path or "ScheduledTasks.xml")
    if local_name(root.tag) != "ScheduledTasks":
        raise GpoFileError("%s: root element is <%s>, not <ScheduledTasks>" % (source_path, local_name(root.tag)[:60]))
    source = _Source(gpo_guid, gpo_name, scope, source_path)
    tasks, bad = [], []
    for index, elem in enumerate(root):
        kind = local_name(elem.tag)
        if not kind:
            continue
        if index >= MAX_ITEMS_PER_FILE:
            bad.append({"source": source_path, "gpo_guid": gpo_guid, "index": index,
                        "error": "more than %d items: the rest was not read" % MAX_ITEMS_PER_FILE})
            break
        if kind not in ITEM_TYPES:
            bad.append({"source": source_path, "gpo_guid": gpo_guid, "index": index, "item_type": kind[:60],
                        "error": "unknown preference item <%s>" % kind[:60]})
            continue
        try:
            tasks.append(_item(elem, kind, source, index))
        except TaskGuardInputError as exc:
            bad.append({"source": source_path, "gpo_guid": gpo_guid, "index": index, "item_type": kind,
                        "name": _clean(elem.get("name")), "error": clip_text(str(exc))})
    return tasks, bad


# ------------------------------------------------------------- assembling
def empty_result(sysvol_found=False, roots=None):
    return {"tasks": [], "errors": [], "unparseable": [],
            "coverage": {"sysvol_found": bool(sysvol_found), "policy_roots": list(roots or []),
                         "gpo_folders": 0, "gpo_folders_read": 0, "files_found": 0, "files_parsed": 0,
                         "duplicates_skipped": 0, "bytes_read": 0}}


def fully_read(result):
    """True when SYSVOL was found and every folder and file of it was listed, read and parsed.

    Only then does a GPO task missing from ``result`` mean it is gone from SYSVOL
    (admin_findings reports a task of the previous audit as removed only then)."""
    if not isinstance(result, dict) or not (result.get("coverage") or {}).get("sysvol_found"):
        return False
    return not result.get("errors") and not result.get("unparseable")


def _add_file(result, data, source):
    result["coverage"]["files_found"] += 1
    try:
        tasks, bad = parse_scheduled_tasks_xml(data, gpo_guid=source.gpo_guid, gpo_name=source.gpo_name,
                                               scope=source.scope, source_path=source.source_path)
    except TaskGuardInputError as exc:
        result["unparseable"].append({"source": source.source_path, "gpo_guid": source.gpo_guid,
                                      "error": clip_text(str(exc))})
        return
    result["coverage"]["files_parsed"] += 1
    result["tasks"].extend(tasks)
    result["unparseable"].extend(bad)


# ------------------------------------------------------------ offline walk
# FILE_ATTRIBUTE_REPARSE_POINT: a junction or mount point read on Windows (os.stat's st_file_attributes).
_REPARSE_POINT = 0x400
_BUDGET_SPENT = object()   # what _Read.file returns once a budget of the whole read ran out


def _is_link(entry):
    """A symlink, or a reparse point (junction) when the platform says so."""
    try:
        if entry.is_symlink():
            return True
        return bool(getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0) & _REPARSE_POINT)
    except OSError:
        return False


class _Read(object):
    """One offline read of SYSVOL: the result it fills, the folder reported paths are
    relative to (``base``: the evidence root or the copied SYSVOL), and the file and
    byte budgets shared by every Policies folder read. Nothing is skipped without an
    entry in ``result["errors"]`` (TG-G011): a folder that cannot be listed, a link
    or junction (never followed inside a Policies folder), a file over its cap, a
    budget spent. Each folder is listed once per read (``listing``), so each of its
    problems is reported once."""

    def __init__(self):
        self.result, self.base, self.files = empty_result(), None, 0
        self.listed = {}         # folder -> its sorted entries, kept while MAX_KEPT_LISTING_ENTRIES allows
        self.kept_entries = 0
        self.unlisted = set()    # folders that could not be listed (reported once, never asked again)
        self.cut = set()         # folders listed in part (reported once)

    def rel(self, path):
        return os.path.relpath(path, self.base).replace(os.sep, "/") if self.base else str(path)

    def error(self, path, text, guid=None):
        entry = {"source": self.rel(path), "error": text}
        if guid:
            entry["gpo_guid"] = guid
        self.result["errors"].append(entry)

    def listing(self, folder, guid=None):
        """The entries of ``folder`` sorted by name (at most MAX_FOLDER_ENTRIES); [] when it cannot be listed.

        Listed once per read: a kept listing is returned again, a folder that could not
        be listed is not tried again, and either problem is reported once (TG-G011 said
        each folder as many times as a lookup went through it)."""
        key = os.path.normpath(folder)
        if key in self.unlisted:
            return []
        kept = self.listed.get(key)
        if kept is not None:
            return kept
        entries = []
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    if len(entries) >= MAX_FOLDER_ENTRIES:
                        if key not in self.cut:
                            self.cut.add(key)
                            self.error(folder, "more than %d entries: the rest was not listed"
                                       % MAX_FOLDER_ENTRIES, guid)
                        break
                    entries.append(entry)
        except OSError as exc:
            self.unlisted.add(key)
            self.error(folder, "cannot list folder: %s" % (exc.strerror or exc), guid)
            return []
        entries.sort(key=lambda e: e.name)
        if self.kept_entries + len(entries) <= MAX_KEPT_LISTING_ENTRIES:
            self.listed[key] = entries
            self.kept_entries += len(entries)
        return entries

    def forget_listings(self):
        """Drop the kept listings (the folders of one GPO are not asked for again);
        the folders that could not be listed stay known."""
        self.listed, self.kept_entries = {}, 0

    def find(self, folder, names, guid=None, links_inside=False):
        """``folder/names[0]/names[1]/...`` matched case-insensitively (evidence copies keep or lose
        Windows' case), or None. A link on the way is refused and reported, unless ``links_inside``
        and it stays inside ``base`` (the ``sysvol/<domain>`` junction of a real DC)."""
        path = folder
        for name in names:
            if path is None or not os.path.isdir(path):
                return None
            wanted, found = name.casefold(), None
            for entry in self.listing(path, guid):
                if entry.name.casefold() == wanted:
                    found = entry
                    break
            if found is not None and _is_link(found) and not (links_inside and is_inside(found.path, self.base)):
                self.error(found.path, self.link_refusal(found.path), guid)
                found = None
            path = found.path if found is not None else None
        return path

    def link_refusal(self, path):
        if not is_inside(path, self.base):
            return "links outside the evidence: not followed"
        return "symbolic link or junction (reparse point): not followed"

    def file(self, path, limit, guid, what):
        """Bytes of a regular file of at most ``limit`` bytes; None when not read (reported);
        _BUDGET_SPENT when the file or byte budget of the whole read ran out (reported)."""
        coverage = self.result["coverage"]
        if self.files >= MAX_FILES or coverage["bytes_read"] >= MAX_TOTAL_BYTES:
            self.error(path, "%d files or %d bytes read from SYSVOL: this file and the rest were not read"
                       % (MAX_FILES, MAX_TOTAL_BYTES), guid)
            return _BUDGET_SPENT
        self.files += 1
        try:
            size, data = read_regular_file(path, limit)
        except OSError as exc:
            self.error(path, "%s: %s" % (what, exc.strerror or exc), guid)
            return None
        if data is None:
            self.error(path, "%s: %d bytes or more exceeds the limit of %d" % (what, size, limit), guid)
            return None
        coverage["bytes_read"] += len(data)
        return data


def find_policy_roots(root=None, sysvol_root=None, read=None):
    """Policies folders to read: (path, base) pairs, base being the folder paths are reported against.
    Folders that could not be listed on the way are reported in ``read`` (a ``_Read``)."""
    read = read or _Read()
    found = []

    def add(path, base):
        if path and os.path.isdir(path) and \
                os.path.realpath(path) not in [os.path.realpath(p) for p, _b in found]:
            found.append((path, base))

    if sysvol_root:
        read.base = sysvol_root
        if os.path.basename(os.path.normpath(sysvol_root)).casefold() == "policies":
            add(sysvol_root, sysvol_root)
        else:
            add(read.find(sysvol_root, ("Policies",), links_inside=True), sysvol_root)
            add(read.find(sysvol_root, ("domain", "Policies"), links_inside=True), sysvol_root)
            for parent in (read.find(sysvol_root, ("sysvol",), links_inside=True), sysvol_root):
                for entry in read.listing(parent) if parent else []:
                    if entry.is_dir() and entry.name.casefold() not in ("policies", "sysvol"):
                        add(read.find(entry.path, ("Policies",), links_inside=True), sysvol_root)
    if root:
        read.base = root
        sysvol = read.find(root, ("Windows", "SYSVOL"), links_inside=True)
        if sysvol:
            add(read.find(sysvol, ("domain", "Policies"), links_inside=True), root)
            inner = read.find(sysvol, ("sysvol",), links_inside=True)
            for entry in read.listing(inner) if inner else []:
                if entry.is_dir():
                    add(read.find(entry.path, ("Policies",), links_inside=True), root)
    return found


def collect_offline(root=None, sysvol_root=None):
    """GPO tasks of an evidence root and/or a copied SYSVOL; see the module docstring for the shape."""
    read = _Read()
    roots = find_policy_roots(root, sysvol_root, read)
    coverage = read.result["coverage"]
    coverage["sysvol_found"] = bool(roots)
    coverage["policy_roots"] = [os.path.relpath(p, b).replace(os.sep, "/") for p, b in roots]
    seen = set()
    for policies, base in roots:
        read.base = base
        if not _read_policies(read, policies, seen):
            break
    return read.result


def _read_policies(read, policies, seen):
    """The GPO folders of one Policies folder; False when a budget ran out (the rest is not read)."""
    coverage = read.result["coverage"]
    for entry in read.listing(policies):
        if not _GUID.match(entry.name):
            continue   # PolicyDefinitions (the central store) and other non-GPO folders
        guid = entry.name.upper()
        if _is_link(entry):
            read.error(entry.path, "GPO folder %s" % read.link_refusal(entry.path), guid)
            continue
        if not entry.is_dir(follow_symlinks=False):
            continue
        if guid in seen:
            coverage["duplicates_skipped"] += 1
            continue
        seen.add(guid)
        if coverage["gpo_folders"] >= MAX_GPO_FOLDERS:
            read.error(policies, "more than %d GPO folders: the rest was not read" % MAX_GPO_FOLDERS)
            return False
        coverage["gpo_folders"] += 1
        read_all = _read_gpo(read, entry.path, guid)
        read.forget_listings()   # a GPO folder is read once: the memo stays one GPO's size
        if not read_all:
            return False
    return True


def _read_gpo(read, folder, guid):
    """GPT.INI and the two ScheduledTasks.xml of one GPO folder; False when a budget ran out."""
    name = None
    gpt = read.find(folder, ("GPT.INI",), guid)
    if gpt:
        data = read.file(gpt, MAX_GPT_INI_BYTES, guid, "GPT.INI not readable")
        if data is _BUDGET_SPENT:
            return False
        name = parse_gpt_ini(data)
    read.result["coverage"]["gpo_folders_read"] += 1
    for part, scope in SCOPES:
        path = read.find(folder, (part, "Preferences", "ScheduledTasks", "ScheduledTasks.xml"), guid)
        if not path:
            continue
        data = read.file(path, MAX_FILE_BYTES, guid, "not readable")
        if data is _BUDGET_SPENT:
            return False
        if data is not None:
            _add_file(read.result, data, _Source(guid, name, scope, read.rel(path)))
    return True


# ------------------------------------------------------------------- live
def _b64(value, limit):
    if not isinstance(value, str):
        raise TaskGuardInputError("content is not base64 text")
    if len(value) > limit * 4 // 3 + 8:
        raise TaskGuardInputError("content exceeds the limit of %d bytes" % limit)
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError) as exc:
        raise TaskGuardInputError("content is not valid base64: %s" % exc)


def parse_live_material(material):
    """GPO tasks from the ``sysvol`` part of AdminMaterial.psm1 (contract: tests/unit/fixtures/admin_surface/).

    ``{"found": bool, "root": str, "gpo_folders": int, "gpos": [{"guid", "gpt_ini_b64"|None,
    "files": [{"scope": "machine"|"user", "path", "content_b64"|None, "error"|None}],
    "errors": [str] (optional: folders of the GPO not listed)}], "errors": [str]}``.
    """
    if not isinstance(material, dict):
        result = empty_result(False)
        result["errors"].append({"source": "sysvol", "error": "no SYSVOL material returned"})
        return result
    # every text below is the host's: bounded, never str() of a host object (errors.host_text)
    result = empty_result(bool(material.get("found")), [clip_text(host_text(material.get("root"), ""), 400)])
    for err in (material.get("errors") if isinstance(material.get("errors"), list) else [])[:100]:
        result["errors"].append({"source": "sysvol", "error": host_text(err, "no reason given by the collector")})
    gpos = material.get("gpos") if isinstance(material.get("gpos"), list) else []
    for gpo in gpos[:MAX_GPO_FOLDERS]:
        given = gpo.get("guid") if isinstance(gpo, dict) else gpo
        if not isinstance(given, str) or not _GUID.match(given):
            shown = clip_text(given, 200) if isinstance(given, str) else "a %s" % type(given).__name__
            result["unparseable"].append({"source": "sysvol", "error": "GPO entry without a GUID: %r" % (shown,)})
            continue
        guid = given.upper()
        result["coverage"]["gpo_folders"] += 1
        name = None
        if gpo.get("gpt_ini_b64"):
            try:
                name = parse_gpt_ini(_b64(gpo["gpt_ini_b64"], MAX_GPT_INI_BYTES))
            except TaskGuardInputError as exc:
                result["errors"].append({"source": "%s/GPT.INI" % guid, "gpo_guid": guid, "error": str(exc)})
        # folders of this GPO the collector could not list (access denied, a reparse point it did not follow)
        for err in (gpo.get("errors") if isinstance(gpo.get("errors"), list) else [])[:20]:
            result["errors"].append({"source": "%s" % guid, "gpo_guid": guid,
                                     "error": host_text(err, "no reason given by the collector")})
        result["coverage"]["gpo_folders_read"] += 1
        for item in (gpo.get("files") if isinstance(gpo.get("files"), list) else [])[:4]:
            if not isinstance(item, dict):   # said, never skipped: the GPO is then not fully read
                result["errors"].append({"source": guid, "gpo_guid": guid,
                                         "error": "malformed file entry from the collector (a %s): not read"
                                                  % type(item).__name__})
                continue
            scope = "user" if item.get("scope") == "user" else "machine"
            source = clip_text(host_text(item.get("path"), "%s/%s" % (guid, scope)), 400)
            if item.get("error") or item.get("content_b64") is None:
                result["errors"].append({"source": source, "gpo_guid": guid,
                                         "error": host_text(item.get("error"), "content not returned")})
                continue
            try:
                data = _b64(item["content_b64"], MAX_FILE_BYTES)
            except TaskGuardInputError as exc:
                result["unparseable"].append({"source": source, "gpo_guid": guid, "error": str(exc)})
                continue
            _add_file(result, data, _Source(guid, name, scope, source))
    if isinstance(material.get("gpo_folders"), int) and material["gpo_folders"] > len(gpos):
        result["errors"].append({"source": "sysvol", "error": "%d GPO folders on the host, %d returned"
                                 % (material["gpo_folders"], len(gpos))})
    return result
