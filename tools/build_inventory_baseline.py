# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regenerate the built-in Windows baselines (``task_inventory/baselines/``) from recorded sources.

Usage (from the repository root):

    .venv/bin/python tools/build_inventory_baseline.py --all
        (every baseline of SOURCES below, from the material recorded in the repository)

    .venv/bin/python tools/build_inventory_baseline.py \\
        --tasks-dir tests/unit/fixtures/authentic/tasks/win10-aptsim --os-family windows_10 \\
        --source "DFIRArtifactMuseum Windows/ScheduledTasks/Win10/APTSimulatorVM @ b81948ca (MIT)" \\
        --date 2026-11-25 --output task_inventory/baselines/windows_10.yml

Two kinds of source material:

* a copy of ``System32\\Tasks`` (``--tasks-dir``): every definition is parsed and
  its description (principal, actions, trigger types) written; the task files
  themselves are kept in the repository only under tests/ (with their licence);
* a published task *listing* (``--task-list``, today the ``TaskName / Run As User /
  Task To Run`` blocks that the JAWS enumeration script prints): thinner, so the
  entries are tolerant - path, principal (well-known names turned into SIDs here,
  never at audit time) and the program each action runs; arguments only when the
  listing shows them unmangled, otherwise any arguments are accepted.

What goes in: tasks under ``\\Microsoft\\`` and the Microsoft components that
Windows registers in the root folder (per-user OneDrive tasks, as a ``{sid}``
pattern, never with the lab user's SID). What stays out, with the reason printed:
anything else in the root folder (``\\GameOver`` is the lab's planted Mimikatz
task; Google's and Amazon's agents are third-party software that belongs in a
vendor file, not in a Windows baseline). Edge's updater tasks are documented once,
for every version, in ``task_inventory/vendors/microsoft-edge-update.yml``: Edge is
installed on server versions whose baselines are thin or missing, and one entry in a
baseline plus one in the vendor file would overlap.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "collections"))

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_baseline  # noqa: E402
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (  # noqa: E402
    format_problem, load_inventory,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_compare import (  # noqa: E402
    normalize_account,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (  # noqa: E402
    build_document, dump_document, propose_entry,
)

REPO = os.path.dirname(HERE)
SOURCES_DIR = os.path.join(HERE, "baseline_sources")

# Every shipped baseline and the recorded material it is generated from
# (``--all``). Paths are relative to the repository root. ``thin`` goes into the
# file header and docs/task-inventory.md: what the source cannot show.
SOURCES = {
    "windows_10": {
        "tasks_dir": "tests/unit/fixtures/authentic/tasks/win10-aptsim",
        "source": "DFIRArtifactMuseum Windows/ScheduledTasks/Win10/APTSimulatorVM @ b81948ca (MIT)",
        "date": "2026-11-25",
    },
    "windows_11": {
        "task_dump": "tools/baseline_sources/windows_11/scheduled-tasks-25H2.extract.json",
        "source": "nohuto/win-config @ 43c86ee0 system/assets/scheduled-tasks.json: the task definitions "
                  "of a stock Windows 11 25H2 installation (build 26200), as parsed by the author's "
                  "ScheduledTasksList.ps1 (AGPL-3.0; the repository keeps only the extracted facts)",
        "date": "2026-12-03",
        "thin": "one stock 25H2 installation: tasks that only earlier Windows 11 releases register are "
                "missing; the dump's trigger list is not reliable, so triggers are not checked",
    },
    "windows_server_2019": {
        "task_list": "tools/baseline_sources/windows_server_2019/jaws-scheduled-tasks.txt",
        "source": "r3kind1e/r3kind1e.github.io @ 2e51eae5 _posts/2023-06-08-Automating Windows Local "
                  "Enumeration.md: JAWS output of a Windows Server 2019 Datacenter lab host, "
                  "build 10.0.17763.1457 (Apache-2.0)",
        "date": "2026-12-03",
        "com_classes_from": "windows_10",
        "thin": "a task listing, not the task files: entries give path, principal and the program "
                "each Exec action runs; a COM handler task is kept only when the windows_10 reference "
                "folder has the same path (its class ID is taken from there), others are left out; "
                "triggers and flags are not checked; "
                "one standalone lab host (no domain controller, IIS or Hyper-V role tasks)",
    },
}

# Which root-folder tasks count as Windows' own is one rule, shared with the
# learning path (playbooks/baseline.yml): inventory_baseline.windows_task.
MICROSOFT_ROOT_PREFIXES = inventory_baseline.MICROSOFT_ROOT_PREFIXES
_USER_PROFILE = re.compile(r"^[A-Za-z]:\\Users\\[^\\]+", re.IGNORECASE)
_VERSION_FOLDER = re.compile(r"\\\d+(?:\.\d+){2,}\\")
# Never allow-listed, whatever the folder holds (see ../shared/fixtures/README.md).
KNOWN_MALICIOUS = {"\\gameover": "planted by the lab's attack simulator (Mimikatz every 5 minutes)"}


def _collect(tasks_dir):
    """Normalized tasks from a bare copy of a Tasks folder.

    ``task_collection.collect_offline_tasks`` wants a whole evidence volume
    (``<root>/Windows/System32/Tasks`` plus registry); a baseline source is just
    the Tasks folder, so each file is parsed with the shared task model.
    Unparseable files are returned, printed and counted in the file header.
    """
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition
    from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
    tasks, bad = [], []
    real_root = os.path.realpath(tasks_dir)
    for dirpath, dirnames, filenames in os.walk(tasks_dir, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if os.path.islink(full) or not os.path.realpath(full).startswith(real_root + os.sep):
                bad.append({"path": full, "source": "file", "error": "symlink refused"})
                continue
            rel = "\\" + os.path.relpath(full, tasks_dir).replace(os.sep, "\\")
            with open(full, "rb") as handle:
                data = handle.read(2 * 1024 * 1024 + 1)
            try:
                task = parse_task_definition(data, path=rel)
            except TaskGuardInputError as exc:
                bad.append({"path": rel, "source": "file", "error": str(exc)})
                continue
            task["seen_in"] = ["file"]
            tasks.append(task)
    return tasks, bad


def select(tasks):
    kept, skipped = [], []
    for task in sorted(tasks, key=lambda t: t["path"].casefold()):
        path = task["path"].casefold()
        if path in KNOWN_MALICIOUS:
            skipped.append((task["path"], "malicious: " + KNOWN_MALICIOUS[path]))
        elif inventory_baseline.windows_task(path):
            kept.append(task)
        else:
            skipped.append((task["path"], inventory_baseline.NOT_WINDOWS))
    return kept, skipped


def _entries_from_tasks(kept, os_family, date):
    host = {"name": "reference image", "os_family": os_family}
    entries, seen = [], set()
    for task in kept:
        entry = propose_entry(task, host, today=date)
        key = (entry.get("path") or entry.get("path_pattern")).casefold()
        if key in seen:     # two per-user tasks collapsing into one {sid} pattern
            continue
        seen.add(key)
        # A baseline entry is a statement of fact about Windows, not a proposal:
        # owner, justification and approval come from the file's defaults.
        for field in ("owner", "scope", "approval", "expires", "provenance", "review"):
            entry.pop(field, None)
        entry["justification"] = "Built-in %s task (present in the reference Tasks folder)" % os_family
        ordered = {k: entry[k] for k in ("path", "path_pattern", "justification", "expected") if k in entry}
        entries.append(ordered)
    return entries


def _document(entries, skipped, os_family, source, date, *, thin=None, unparseable=()):
    doc = build_document(
        entries, owner_name="Microsoft Windows (%s baseline)" % os_family, kind="baseline",
        contact="taskguard maintainers (see CODEOWNERS)",
        provenance={"learned_from": [source], "learned_at": date, "os_family": [os_family],
                    "generated_by": "tools/build_inventory_baseline.py"},
        defaults={"scope": {"os_family": [os_family]},
                  "approval": {"ticket": "taskguard-baseline-%s" % os_family,
                               "approver": "taskguard maintainers", "date": date}},
    )
    header = [
        "yaml-language-server: $schema=../../schemas/task_inventory.schema.json",
        "Built-in scheduled tasks of %s, generated by tools/build_inventory_baseline.py." % os_family,
        "Source: %s" % source,
    ]
    if thin:
        header.append("THIN SOURCE: %s." % thin)
    header.append("Regenerate instead of editing by hand. %d tasks kept, %d left out:" % (len(entries), len(skipped)))
    header += ["  %s: %s" % (p, why) for p, why in skipped]
    if unparseable:
        header.append("Unparseable definitions (not documented): %d" % len(unparseable))
    return dump_document(doc, header="\n".join(header))


def build(tasks_dir, os_family, source, date, thin=None):
    """(text, skipped, unparseable) of the baseline generated from a Tasks folder copy."""
    tasks, unparseable = _collect(tasks_dir)
    kept, skipped = select(tasks)
    entries = _entries_from_tasks(kept, os_family, date)
    return _document(entries, skipped, os_family, source, date, thin=thin, unparseable=unparseable), skipped, unparseable


# ---------------------------------------------------------------- task listings
_LISTING_FIELD = re.compile(r"^(TaskName|Run As User|Task To Run)\s*:\s?(.*)$")
_CONTINUATION = re.compile(r"^\s{8,}(\S.*)$")
# The program of a "Task To Run" line: everything up to the first file name with
# one of these extensions (paths may contain spaces, so no splitting on blanks).
_PROGRAM = re.compile(r"^(.*?\.(?:exe|vbs|cmd|bat|com|ps1))(?=[\s\"]|$)", re.IGNORECASE)
# SIDs a task's principal names as UserId (accounts); the other well-known
# principals are groups (GroupId), as the built-in task files write them.
_ACCOUNT_SIDS = {"s-1-5-18", "s-1-5-19", "s-1-5-20"}


def parse_task_listing(text):
    """``[{"path", "run_as", "task_to_run"}]`` from ``TaskName:``/``Run As User:``/``Task To Run:``
    blocks, continuation lines (indented) joined as the listing wrapped them."""
    records, current, last = [], None, None
    for line in text.splitlines():
        match = _LISTING_FIELD.match(line)
        if match:
            field, value = match.groups()
            if field == "TaskName":
                current = {"path": value, "run_as": None, "task_to_run": None}
                records.append(current)
                last = "path"
            elif current is not None:
                last = "run_as" if field == "Run As User" else "task_to_run"
                current[last] = value
            continue
        cont = _CONTINUATION.match(line)
        if cont and current is not None and last is not None and current[last] is not None:
            current[last] += cont.group(1)
            continue
        last = None
    for record in records:
        for key in ("path", "run_as", "task_to_run"):
            if record[key] is not None:
                record[key] = record[key].strip()
    return records


def _principal_from_listing(run_as):
    sid = normalize_account((run_as or "").lstrip("\\"))
    if not sid or not sid.startswith("s-1-"):
        return None
    return {"user_id" if sid in _ACCOUNT_SIDS else "group_id": sid.upper()}


def _action_from_listing(task_to_run):
    if task_to_run == "COM handler":
        return {"type": "com_handler"}
    match = _PROGRAM.match(task_to_run or "")
    if not match:
        return None
    command = match.group(1).strip().strip('"')
    arguments = task_to_run[match.end():].strip()
    action = {"type": "exec", "command": command}
    if '"' in arguments or "$(" in arguments:
        # the listing drops or doubles quotes and cannot show what $(ArgN) becomes
        action["arguments_pattern"] = "*"
    elif arguments:
        action["arguments"] = arguments
    return action


def com_class_ids(tasks_dir, label):
    """{casefolded path: (class_id, label)} of the single-COM-action tasks of a Tasks folder copy."""
    tasks, dummy = _collect(tasks_dir)
    out = {}
    for task in tasks:
        actions = task.get("actions") or []
        if len(actions) == 1 and actions[0].get("type") == "com_handler" and actions[0].get("class_id"):
            out[task["path"].casefold()] = (actions[0]["class_id"], label)
    return out


def build_from_listing(listing_path, os_family, source, date, thin=None, class_ids=None):
    """(text, skipped) of the baseline generated from a recorded task listing.

    ``class_ids``: from ``com_class_ids`` (COM handler tasks need their class)."""
    with open(listing_path, "r", encoding="utf-8") as handle:
        records = parse_task_listing(handle.read(8 * 1024 * 1024))
    by_path = {}
    for record in records:
        by_path.setdefault(record["path"], []).append(record)
    entries, skipped = [], []
    pseudo = [{"path": p} for p in by_path]
    kept, skipped = select(pseudo)
    for item in kept:
        path = item["path"]
        rows = by_path[path]
        principals = {r["run_as"] for r in rows}
        if len(principals) != 1:
            skipped.append((path, "listed with several principals: %s" % ", ".join(sorted(map(str, principals)))))
            continue
        principal = _principal_from_listing(rows[0]["run_as"])
        if principal is None:
            skipped.append((path, "principal %r is not a well-known account" % (rows[0]["run_as"],)))
            continue
        # The listing repeats a task once per trigger: distinct actions, in order.
        runs = []
        for row in rows:
            if row["task_to_run"] not in runs:
                runs.append(row["task_to_run"])
        actions = [_action_from_listing(r) for r in runs]
        if any(a is None for a in actions):
            skipped.append((path, "action %r not understood" % (runs,)))
            continue
        # A listing names no COM class. The class a built-in COM task runs is taken
        # from the authentic task folder of another version when that folder has the
        # same path with one COM handler action; otherwise the task is left out
        # (an entry without class_id would accept any COM object).
        justification = "Built-in %s task (in the source's task listing)" % os_family
        if any(a["type"] == "com_handler" for a in actions):
            known = (class_ids or {}).get(path.casefold())
            if len(actions) != 1 or known is None:
                skipped.append((path, "COM handler task: the listing names no class ID and no reference "
                                      "folder has this path"))
                continue
            actions = [{"type": "com_handler", "class_id": known[0]}]
            justification += "; COM class as in %s" % known[1]
        entries.append({"path": path, "justification": justification,
                        "expected": {"principal": principal, "actions": actions}})
    skipped.sort(key=lambda item: item[0].casefold())
    return _document(entries, skipped, os_family, source, date, thin=thin), skipped


# ------------------------------------------------------------- task dumps (JSON)
def extract_from_task_dump(upstream):
    """Facts of each task in a ScheduledTasksList.ps1 dump (list of {Name, Path,
    Principals, Actions, Settings...}): path, principal, actions, hidden. Used
    once to write the recorded extract; the generator reads the extract."""
    def as_list(value):
        return value if isinstance(value, list) else ([value] if value else [])
    out = []
    for item in upstream:
        folder = item["Path"]
        principals = as_list(item.get("Principals"))
        out.append({
            "path": folder + item["Name"] if folder.endswith("\\") else folder + "\\" + item["Name"],
            "principals": [{k: p[k] for k in ("UserId", "GroupId", "LogonType", "RunLevel") if k in p}
                           for p in principals],
            # The dumper writes "System.Xml.XmlElement" instead of a COM handler's
            # Data (71 of 71 in the 25H2 dump): that is no fact, so it is dropped.
            "actions": [{k: a[k] for k in ("Type", "Command", "Arguments", "WorkingDirectory", "ClassId", "Data")
                         if k in a and a[k] != "System.Xml.XmlElement"} for a in as_list(item.get("Actions"))],
            "hidden": (item.get("Settings") or {}).get("Hidden") == "true",
        })
    return sorted(out, key=lambda t: t["path"].casefold())


_DUMP_ACTION_TYPES = {"exec": "exec", "comhandler": "com_handler", "sendemail": "send_email",
                      "showmessage": "show_message"}


def tasks_from_extract(records):
    """Normalized tasks (the shape propose_entry reads) from the recorded extract.
    A task with several principals or an unknown action type is returned in ``bad``."""
    tasks, bad = [], []
    for record in records:
        if len(record["principals"]) != 1:
            bad.append((record["path"], "%d principals" % len(record["principals"])))
            continue
        p = record["principals"][0]
        actions = []
        for a in record["actions"]:
            kind = _DUMP_ACTION_TYPES.get(str(a.get("Type", "")).casefold())
            if kind is None:
                break
            actions.append({"type": kind, "command": a.get("Command"), "arguments": a.get("Arguments"),
                            "working_directory": a.get("WorkingDirectory"), "class_id": a.get("ClassId"),
                            "data": a.get("Data")})
        else:
            tasks.append({"path": record["path"], "name": record["path"].rsplit("\\", 1)[-1],
                          "principal": {"user_id": p.get("UserId"), "group_id": p.get("GroupId"),
                                        "logon_type": p.get("LogonType"), "run_level": p.get("RunLevel")},
                          "actions": actions, "triggers": [], "hidden": bool(record["hidden"]),
                          "hidden_reasons": [], "seen_in": ["dump"]})
            continue
        bad.append((record["path"], "action type not understood: %r" % (record["actions"],)))
    return tasks, bad


def build_from_dump(dump_path, os_family, source, date, thin=None):
    """(text, skipped) of the baseline generated from a recorded task-dump extract."""
    with open(dump_path, "r", encoding="utf-8") as handle:
        records = json.loads(handle.read(8 * 1024 * 1024))
    tasks, bad = tasks_from_extract(records)
    kept, skipped = select(tasks)
    entries = []
    for entry in _entries_from_tasks(kept, os_family, date):
        # the dump's triggers are not reliable: not checked for this source
        entry["expected"].pop("triggers", None)
        actions = entry["expected"].get("actions") or []
        for index, action in enumerate(actions):
            command = action.get("command") or ""
            if _USER_PROFILE.match(command):
                # a per-user install (OneDrive): any profile, any version folder
                pattern = _VERSION_FOLDER.sub(r"\\*\\", _USER_PROFILE.sub("*", command))
                actions[index] = {("command_pattern" if k == "command" else k): (pattern if k == "command" else v)
                                  for k, v in action.items()}
        principal = entry["expected"].get("principal") or {}
        if principal.get("user_id") == "{sid}":
            # per-user tasks carry the user's SID or name as UserId, as the machine wrote it
            principal["user_id"] = "{user}"
        entry["justification"] = "Built-in %s task (in the recorded task dump)" % os_family
        entries.append(entry)
    skipped = sorted(skipped + bad, key=lambda item: item[0].casefold())
    return _document(entries, skipped, os_family, source, date, thin=thin), skipped


def _write_checked(text, output, date):
    tmp = output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    inventory = load_inventory([tmp], today=date)
    if inventory.errors:
        for problem in inventory.errors:
            print(format_problem(problem), file=sys.stderr)
        os.unlink(tmp)
        return None
    os.replace(tmp, output)
    return inventory


# Every version taskguard supports, with its product type: versions without a
# recorded source are listed in the signatures so that the version inference
# knows it cannot rule them out.
SUPPORTED = {"windows_10": "client", "windows_11": "client", "windows_server_2016": "server",
             "windows_server_2019": "server", "windows_server_2022": "server", "windows_server_2025": "server"}
SIGNATURES_PATH = os.path.join(REPO, "task_inventory", "baselines", "os_signatures.json")


def source_task_paths(os_family):
    """Every task path the recorded source of a version shows (before any selection)."""
    spec = SOURCES[os_family]
    if "tasks_dir" in spec:
        tasks, dummy = _collect(os.path.join(REPO, spec["tasks_dir"]))
        return [t["path"] for t in tasks]
    if "task_dump" in spec:
        with open(os.path.join(REPO, spec["task_dump"]), "r", encoding="utf-8") as handle:
            return [r["path"] for r in json.loads(handle.read(8 * 1024 * 1024))]
    with open(os.path.join(REPO, spec["task_list"]), "r", encoding="utf-8") as handle:
        return [r["path"] for r in parse_task_listing(handle.read(8 * 1024 * 1024))]


def build_signatures():
    """Text of os_signatures.json: per version with a recorded source, the
    \\Microsoft\\Windows\\ task paths that source shows (read by
    plugins/plugin_utils/os_inference.py)."""
    families = {}
    for family in sorted(SOURCES):
        paths = {p.casefold(): p for p in source_task_paths(family)
                 if p.casefold().startswith("\\microsoft\\windows\\")}
        families[family] = {"product_type": SUPPORTED[family], "source": SOURCES[family]["source"],
                            "paths": sorted(paths.values(), key=str.casefold)}
    doc = {"generated_by": "tools/build_inventory_baseline.py",
           "about": "The \\Microsoft\\Windows\\ task paths of each version's recorded source; read by "
                    "plugins/plugin_utils/os_inference.py. A path only one source shows is specific to that "
                    "version among the recorded sources, not proven absent from every build of the others.",
           "families": families,
           "without_source": {f: t for f, t in sorted(SUPPORTED.items()) if f not in SOURCES}}
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build_known(os_family):
    """(text, skipped) of a shipped baseline, from the material SOURCES records."""
    spec = SOURCES[os_family]
    if "tasks_dir" in spec:
        text, skipped, dummy = build(os.path.join(REPO, spec["tasks_dir"]), os_family, spec["source"], spec["date"],
                                     thin=spec.get("thin"))
        return text, skipped
    if "task_dump" in spec:
        return build_from_dump(os.path.join(REPO, spec["task_dump"]), os_family, spec["source"], spec["date"],
                               thin=spec.get("thin"))
    class_ids = None
    if spec.get("com_classes_from"):
        ref = SOURCES[spec["com_classes_from"]]
        class_ids = com_class_ids(os.path.join(REPO, ref["tasks_dir"]),
                                  "the %s reference folder" % spec["com_classes_from"])
    return build_from_listing(os.path.join(REPO, spec["task_list"]), os_family, spec["source"], spec["date"],
                              thin=spec.get("thin"), class_ids=class_ids)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="regenerate every baseline of SOURCES")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--tasks-dir")
    source.add_argument("--task-list", help="a recorded TaskName/Run As User/Task To Run listing")
    parser.add_argument("--os-family")
    parser.add_argument("--source")
    parser.add_argument("--thin", help="what the source cannot show (written into the file header)")
    parser.add_argument("--date", help="approval/learning date YYYY-MM-DD (fixed for reproducible output)")
    parser.add_argument("--output")
    args = parser.parse_args(argv)
    if args.all:
        jobs = [(family, build_known(family), os.path.join(REPO, "task_inventory", "baselines", family + ".yml"),
                 SOURCES[family]["date"]) for family in sorted(SOURCES)]
    else:
        missing = [name for name in ("os_family", "source", "date", "output") if not getattr(args, name)]
        if missing or not (args.tasks_dir or args.task_list):
            parser.error("without --all: --tasks-dir or --task-list, and --os-family, --source, --date, --output")
        if args.tasks_dir:
            text, skipped, unparseable = build(args.tasks_dir, args.os_family, args.source, args.date, thin=args.thin)
            for item in unparseable:
                print("UNPARSEABLE (not documented) %s: %s" % (item["path"], item["error"]), file=sys.stderr)
        else:
            text, skipped = build_from_listing(args.task_list, args.os_family, args.source, args.date, thin=args.thin)
        jobs = [(args.os_family, (text, skipped), args.output, args.date)]
    status = 0
    if args.all:
        with open(SIGNATURES_PATH, "w", encoding="utf-8") as handle:
            handle.write(build_signatures())
        print("wrote %s" % SIGNATURES_PATH)
    for family, (text, skipped), output, date in jobs:
        inventory = _write_checked(text, output, date)
        if inventory is None:
            status = 1
            continue
        for path, why in skipped:
            print("%s: left out %s: %s" % (family, path, why))
        print("wrote %s: %d entries; left out %d" % (output, len(inventory.entries), len(skipped)))
    return status


if __name__ == "__main__":
    sys.exit(main())
