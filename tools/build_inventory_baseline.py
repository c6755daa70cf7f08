# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Regenerate a Windows baseline inventory file from a copy of ``System32\\Tasks``.

Usage (from the repository root):

    .venv/bin/python tools/build_inventory_baseline.py \\
        --tasks-dir ../shared/fixtures/tasks/win10-aptsim --os-family windows_10 \\
        --source "DFIRArtifactMuseum Windows/ScheduledTasks/Win10/APTSimulatorVM @ b81948ca (MIT)" \\
        --date 2026-11-25 --output task_inventory/baselines/windows_10.yml

Only the *descriptions* of the tasks are written (paths, principals, actions,
trigger types); the task files themselves are never copied into the repository.

What goes in: tasks under ``\\Microsoft\\`` and the Microsoft components that
Windows 10 registers in the root folder (Edge updater, per-user OneDrive tasks,
the latter as a ``{sid}`` pattern, never with the lab user's SID). What stays
out, with the reason printed: anything else in the root folder (``\\GameOver`` is
the lab's planted Mimikatz task; Google's updater is third-party software that
belongs in a vendor file, not in a Windows baseline).
"""
from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "collections"))

from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import (  # noqa: E402
    format_problem, load_inventory,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (  # noqa: E402
    build_document, dump_document, propose_entry,
)

# Root-folder tasks that Windows 10 itself (or its bundled Microsoft components) registers.
MICROSOFT_ROOT_PREFIXES = (
    "\\microsoftedgeupdatetaskmachine",        # Microsoft Edge (bundled since Windows 10 20H2)
    "\\onedrive reporting task-",              # OneDrive (bundled), one task per user
    "\\onedrive standalone update task-",
)
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
        elif path.startswith("\\microsoft\\") or path.startswith(MICROSOFT_ROOT_PREFIXES):
            kept.append(task)
        else:
            skipped.append((task["path"], "not a Windows component (third-party software: document it in a vendor file)"))
    return kept, skipped


def build(tasks_dir, os_family, source, date):
    tasks, unparseable = _collect(tasks_dir)
    kept, skipped = select(tasks)
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
        "Regenerate instead of editing by hand. %d tasks kept, %d left out:" % (len(entries), len(skipped)),
    ] + ["  %s: %s" % (p, why) for p, why in skipped]
    if unparseable:
        header.append("Unparseable definitions (not documented): %d" % len(unparseable))
    return dump_document(doc, header="\n".join(header)), skipped, unparseable


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks-dir", required=True)
    parser.add_argument("--os-family", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--date", required=True, help="approval/learning date YYYY-MM-DD (fixed for reproducible output)")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    text, skipped, unparseable = build(args.tasks_dir, args.os_family, args.source, args.date)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    inventory = load_inventory([tmp], today=args.date)
    if inventory.errors:
        for problem in inventory.errors:
            print(format_problem(problem), file=sys.stderr)
        os.unlink(tmp)
        return 1
    os.replace(tmp, args.output)
    for path, why in skipped:
        print("left out %s: %s" % (path, why))
    for item in unparseable:
        print("UNPARSEABLE (not documented) %s: %s" % (item["path"], item["error"]), file=sys.stderr)
    print("wrote %s: %d entries; left out %d; unparseable %d"
          % (args.output, len(inventory.entries), len(skipped), len(unparseable)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
