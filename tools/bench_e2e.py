# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""End-to-end benchmark (``make bench-e2e``): ``ansible-playbook playbooks/drift.yml``
as a user runs it, against Ansible's own floor measured in the same run. Prints,
never asserts.

    .venv/bin/python tools/bench_e2e.py [--hosts 2000] [--forks N] [--also-hosts 4000]
                                        [--quick] [--live] [--preload-ab] [--generate-only] [--tasks]

The fleet (generated once under .build/bench-e2e/, reused by later runs):

* every host is an offline evidence folder (``taskguard_offline_root``) holding
  the authentic Windows 10 Tasks folder of tests/unit/fixtures/authentic
  (201 files; the lab's planted ``\\GameOver`` is left out of the built-in set),
  ~49 tasks of 7 of 12 synthetic vendors (8 vendor mixes), a TaskCache.reg and
  an Operational event export: ~250 tasks per host;
* every 33rd host (3 %) carries findings: the authentic Mimikatz task
  ``\\GameOver``, an undocumented SYSTEM task from C:\\Windows\\Temp with its
  4698 event, and either a Tarrask-style task (its TaskCache ``SD`` removed) or
  a masquerading ``\\Microsoft\\Windows`` task;
* files are hard links to one copy per distinct file: the evidence reader opens
  files with O_NOFOLLOW and refuses symlinks leaving the evidence root (hostile
  input), so symlinks would not be read; hard links are ordinary files to it.
  The first generation of 2,000 hosts makes ~500,000 links; later runs reuse them;
* a task inventory documenting the built-in and vendor tasks (generated with the
  collection's own inventory proposer) and an Ansible inventory of the hosts
  (``ansible_connection: local`` as a safety net, as in the demo inventory).

Each measured run is one ``ansible-playbook`` process with a fresh report and
state folder (a first run of a user), timed with the wall clock. Per run the
benchmark also reports the CPU of the whole process tree (``getrusage`` of the
reaped children) and two memory figures: ``peak_rss_mb``, the largest resident
set of any single process of the run (``ru_maxrss`` of the reaped children: the
controller process itself, whose forks are smaller), and ``tree_rss_mb``, the
largest sum of the resident sets of every process of the tree, sampled every
0.5 s from /proc (shared copy-on-write pages of the forks counted once per
process, so an upper bound).

The floor is a play of the same shape over the same hosts: one controller-side
no-op action per host (``ansible.builtin.debug`` skipped by ``verbosity: 9``;
Ansible still forks a worker and templates the host's variables for it), then
the report step's shape (``run_once`` + ``delegate_to: localhost``), set_stats,
debug, a skipped fail. ``ratio`` = seconds / floor_seconds.

``--live``: the live controller path (the ``taskguard.windows.collect`` module
result decoded, normalized, definitions handled) with the module replaced, for
the benchmark only, by a Python stand-in returning recorded material
(tools/bench_fleet.py's synthetic hosts), through a shadow copy of the collection
under .build/bench-e2e/live/ (links to this checkout, the stand-in in place of
collect.ps1/collect.py). The stand-in runs as a local Python module, so the figure
includes AnsiballZ packaging and one Python start per host, not WinRM.

``--preload-ab``: the same drift run without and with the controller preload
(the ``taskguard.windows.preload`` callback, switched through
``ANSIBLE_CALLBACKS_ENABLED``; docs/performance.md), interleaved A/B/A/B.

Last line: ``E2E hosts=… tasks=… seconds=… floor_seconds=… ratio=… peak_rss_mb=…``.
"""
from __future__ import (absolute_import, division, print_function)

import argparse
import hashlib
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "collections"))
sys.path.insert(0, HERE)

WORK = os.path.join(REPO, ".build", "bench-e2e")
GENERATOR_VERSION = 1          # bump when the generated fleet changes shape
FINDINGS_EVERY = 33            # every 33rd host carries findings (3 %)
VENDORS = 12
VENDOR_TASKS = 7
VENDORS_PER_HOST = 7
MIXES = 8                      # distinct vendor mixes (one TaskCache.reg each)
PLANTED = "GameOver"           # the lab's planted task in the authentic folder
AUTHENTIC = os.path.join(REPO, "tests", "unit", "fixtures", "authentic", "tasks", "win10-aptsim")
SHARED_AUTHENTIC = os.path.join(os.environ.get("TASKGUARD_SHARED_FIXTURES",
                                               os.path.join(os.path.dirname(REPO), "shared", "fixtures")),
                                "tasks", "win10-aptsim")
TODAY = "2026-11-25"
HOST_FMT = "ws%05d"
PRELOAD = "taskguard.windows.preload"


# ------------------------------------------------------------------ fleet
def authentic_source():
    for path in (AUTHENTIC, SHARED_AUTHENTIC):
        if os.path.isdir(path):
            return path
    raise SystemExit("authentic Windows 10 task folder not found (tests/unit/fixtures/authentic/tasks/win10-aptsim)")


def _scheduler_path(rel):
    return "\\" + rel.replace(os.sep, "\\")


def _vendor_specs():
    """{vendor index: [task spec]} in the shape tools/make_demo_samples.py renders."""
    import make_demo_samples as demo
    words = ("Acme", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Wingtip", "Litware", "Adatum",
             "Proseware", "Lucerne", "Woodgrove", "Alpine")
    jobs = ("Update", "Agent Health", "Inventory", "Sync", "Cleanup", "Telemetry Upload", "License Check")
    principals = (demo.SYSTEM_LP, demo.LOCAL_SERVICE, demo.USERS)
    triggers = (("daily", None), ("logon", None), ("boot", None), ("time", "2024-01-01T03:00:00", "PT4H"))
    out = {}
    for v in range(VENDORS):
        vendor = words[v]
        specs = []
        for j in range(VENDOR_TASKS):
            folder = "C:\\Program Files\\%s\\Agent" % vendor
            specs.append(demo.task(
                "\\%s\\Agent\\%s" % (vendor, jobs[j]),
                [demo.exec_(folder + "\\%s.exe" % jobs[j].replace(" ", "").lower(), "--%s" % ("quiet", "report", "run")[j % 3],
                            folder if j % 2 else None)],
                principals[(v + j) % 3], [triggers[(v * 3 + j) % 4]], author="%s Inc." % vendor,
                description="%s %s job" % (vendor, jobs[j]), date="2024-0%d-1%dT10:00:00" % (1 + v % 9, j)))
        out[v] = specs
    return out


def _finding_specs():
    import make_demo_samples as demo
    temp = demo.task("\\SystemHealthMonitor", [demo.exec_("C:\\Windows\\Temp\\svchost.exe")], demo.SYSTEM,
                     [("boot", None)], author="", date="2026-11-21T04:40:00")
    return {"temp_system": temp, "tarrask": demo.TARRASK, "masquerade": demo.MASQUERADE}


def _mix(mix):
    rnd = random.Random(1000 + mix)
    return sorted(rnd.sample(range(VENDORS), VENDORS_PER_HOST))


def _is_findings_host(index):
    return index % FINDINGS_EVERY == FINDINGS_EVERY // 2


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def _link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    try:
        os.link(src, dst)
    except FileExistsError:
        pass


def _events(computer, paths, extra_security=()):
    import make_demo_samples as demo
    ops = [demo.operational_event(1000 + n, 200, "2026-11-2%dT0%d:00:00.0000000Z" % (n % 5, n % 10), computer, path,
                                  "NT AUTHORITY\\SYSTEM") for n, path in enumerate(paths[:40])]
    files = {"Microsoft-Windows-TaskScheduler-Operational.xml": demo.export(ops)}
    if extra_security:
        files["Security.xml"] = demo.export(list(extra_security))
    return files


class Pool:
    """One copy of every distinct file of the fleet; hosts are hard links to it."""

    def __init__(self, work):
        self.root = os.path.join(work, "pool")
        self.builtin = {}       # scheduler path -> pool file
        self.builtin_bytes = {}
        self.vendor = {}        # vendor index -> [(spec, pool file, bytes)]
        self.mix_files = {}     # mix -> {name: pool file} (TaskCache.reg, events/...)

    def build(self):
        import make_demo_samples as demo
        source = authentic_source()
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames.sort()
            for name in sorted(filenames):
                rel = os.path.relpath(os.path.join(dirpath, name), source)
                if rel == PLANTED:
                    continue
                dst = os.path.join(self.root, "builtin", rel)
                if not os.path.exists(dst):
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copyfile(os.path.join(dirpath, name), dst)
                self.builtin[_scheduler_path(rel)] = dst
                with open(dst, "rb") as handle:
                    self.builtin_bytes[_scheduler_path(rel)] = handle.read()
        for v, specs in _vendor_specs().items():
            self.vendor[v] = []
            for spec in specs:
                data = demo.utf16(demo.task_xml(spec) + "\r\n")
                dst = os.path.join(self.root, "vendor", *spec["path"].strip("\\").split("\\"))
                if not os.path.exists(dst):
                    _write(dst, data)
                self.vendor[v].append((spec, dst, data))
        for mix in range(MIXES):
            files = {}
            for name, data in self.host_files(HOST_FMT % mix, mix, None).items():
                dst = os.path.join(self.root, "mix-%d" % mix, name)
                if not os.path.exists(dst):
                    _write(dst, data)
                files[name] = dst
            self.mix_files[mix] = files

    def tasks_of(self, mix, extra=()):
        """[(scheduler path, pool file or None, bytes)] of a host of this mix."""
        out = [(path, self.builtin[path], self.builtin_bytes[path]) for path in sorted(self.builtin)]
        for v in _mix(mix):
            out += [(spec["path"], dst, data) for spec, dst, data in self.vendor[v]]
        out += list(extra)
        return out

    def host_files(self, host, mix, extra):
        """{relative name: bytes} of the files that are not task files (TaskCache, events)."""
        import make_demo_samples as demo
        tasks = self.tasks_of(mix, extra or ())
        specs = [{"path": path} for path, _dst, _data in tasks]
        concealed = set()
        computer = "%s.corp.example" % host
        security = []
        if extra:
            findings = _finding_specs()
            if any(path == findings["tarrask"]["path"] for path, _d, _b in extra):
                concealed.add(findings["tarrask"]["path"])
            security.append(demo.security_event(90001, 4698, "2026-11-21T04:40:13.0000000Z", computer, "%s$" % host.upper(),
                                                "CORP", "S-1-5-18", findings["temp_system"]))
        # The GUIDs are per fleet, not per host, so clean hosts of a mix share one file.
        reg = demo.taskcache_reg("fleet" if not extra else host, specs, {p: b for p, _d, b in tasks}, concealed)
        files = {"TaskCache.reg": reg}
        for name, data in _events(computer if extra else "fleet.corp.example",
                                  [p for p, _d, _b in tasks], security).items():
            files[os.path.join("events", name)] = data
        return files


def _host_extra(pool, index):
    """Findings of a findings host: [(path, None, bytes)] (own files, not pooled)."""
    import make_demo_samples as demo
    if not _is_findings_host(index):
        return None
    findings = _finding_specs()
    with open(os.path.join(authentic_source(), PLANTED), "rb") as handle:
        extra = [("\\" + PLANTED, None, handle.read())]
    for key in ("temp_system", "tarrask" if (index // FINDINGS_EVERY) % 2 == 0 else "masquerade"):
        extra.append((findings[key]["path"], None, demo.utf16(demo.task_xml(findings[key]) + "\r\n")))
    return extra


def build_host(pool, work, index):
    """The evidence folder of host *index* (links + the findings hosts' own files)."""
    host = HOST_FMT % index
    root = os.path.join(work, "hosts", host)
    if os.path.exists(os.path.join(root, ".complete")):
        return root
    mix = index % MIXES
    extra = _host_extra(pool, index)
    tasks_dir = os.path.join(root, "Windows", "System32", "Tasks")
    for path, src, data in pool.tasks_of(mix, extra or ()):
        dst = os.path.join(tasks_dir, *path.strip("\\").split("\\"))
        if src:
            _link(src, dst)
        else:
            _write(dst, data)
    if extra:
        for name, data in pool.host_files(host, mix, extra).items():
            _write(os.path.join(root, name), data)
    else:
        for name, src in pool.mix_files[mix].items():
            _link(src, os.path.join(root, name))
    _write(os.path.join(root, ".complete"), b"")
    return root


def write_task_inventory(pool, work):
    """The fleet's documented tasks: built-ins + vendors, written with the collection's proposer."""
    from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
        build_document, dump_document, propose_entry)
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition
    directory = os.path.join(work, "task_inventory")
    os.makedirs(directory, exist_ok=True)

    def entries(items, owner):
        out = []
        for path, data in items:
            entry = propose_entry(parse_task_definition(data, path=path), {"name": "fleet"}, today=TODAY)
            for key in ("review", "provenance", "expires", "scope"):
                entry.pop(key, None)
            entry["owner"] = owner
            entry["justification"] = "%s task documented for the end-to-end benchmark" % owner
            if "approval" in entry:
                entry["approval"] = {"ticket": "CHG-2026-0001", "approver": "Bench CAB", "date": "2026-01-15"}
            out.append(entry)
        return out

    docs = {"windows-10-builtin.yml": build_document(
        entries(sorted(pool.builtin_bytes.items()), "Windows"), owner_name="Windows 10 built-in tasks",
        contact="windows-platform@corp.example", kind="baseline")}
    for v, items in sorted(pool.vendor.items()):
        owner = items[0][0]["path"].split("\\")[1]
        docs["vendor-%02d.yml" % v] = build_document(
            entries([(spec["path"], data) for spec, _dst, data in items], owner), owner_name=owner,
            contact="support@%s.example" % owner.lower(), kind="vendor")
    for name, doc in docs.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
            handle.write(dump_document(doc, header="Generated by tools/bench_e2e.py; do not edit."))
    return directory


def generate(hosts, work=WORK, progress=True):
    """Evidence folders of hosts 0..hosts-1 (reused when present) and the task inventory."""
    stamp = os.path.join(work, "generator-version")
    if os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as handle:
            if handle.read().strip() != str(GENERATOR_VERSION):
                shutil.rmtree(work)
    os.makedirs(work, exist_ok=True)
    with open(stamp, "w", encoding="utf-8") as handle:
        handle.write(str(GENERATOR_VERSION))
    pool = Pool(work)
    pool.build()
    inventory_dir = write_task_inventory(pool, work)
    started = time.perf_counter()
    made = 0
    for index in range(hosts):
        if not os.path.exists(os.path.join(work, "hosts", HOST_FMT % index, ".complete")):
            made += 1
        build_host(pool, work, index)
        if progress and made and made % 500 == 0:
            print("  generated %d host folders (%.0f s)" % (made, time.perf_counter() - started), flush=True)
    tasks = sum(len(pool.tasks_of(i % MIXES, _host_extra(pool, i) or ())) for i in range(hosts))
    return {"inventory_dir": inventory_dir, "tasks": tasks, "made": made,
            "findings_hosts": sum(1 for i in range(hosts) if _is_findings_host(i)),
            "generate_seconds": time.perf_counter() - started}


def write_ansible_inventory(work, hosts, inventory_dir, name="inventory.yml", live=False):
    """YAML inventory of the fleet (one group ``windows``)."""
    lines = ["---", "# Generated by tools/bench_e2e.py", "windows:", "  vars:",
             "    ansible_connection: local",
             "    taskguard_task_inventory_dir: %s" % json.dumps([inventory_dir] if not live else inventory_dir),
             "    taskguard_os_family: windows_10", "    taskguard_domain_role: member_workstation", "  hosts:"]
    for index in range(hosts):
        host = HOST_FMT % index
        lines.append("    %s:" % host)
        if live:
            # The stand-in module finds its recorded material through the environment its
            # interpreter wrapper sets (the interpreter is the per-host input a module has).
            lines.append("      ansible_python_interpreter: %s" % json.dumps(
                os.path.join(work, "live", "material", "python-m%02d" % (index % LIVE_MATERIALS))))
        else:
            lines.append("      taskguard_offline_root: %s" % json.dumps(os.path.join(work, "hosts", host)))
    path = os.path.join(work, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


FLOOR_PLAY = """---
# Generated by tools/bench_e2e.py: Ansible's own per-host floor, the shape of playbooks/drift.yml
- name: Floor (one controller-side no-op per host, then the report step's shape)
  hosts: windows
  gather_facts: false
  tasks:
    - name: No-op per host (a worker is forked, host variables templated, output skipped)
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }}"
        verbosity: 9
    - name: Report step shape
      ansible.builtin.debug:
        msg: "{{ ansible_play_hosts_all | length }} hosts"
      run_once: true
      delegate_to: localhost
    - name: Stats
      ansible.builtin.set_stats:
        data: {floor: 1}
        per_host: false
      run_once: true
    - name: Summary
      ansible.builtin.debug:
        msg: done
      run_once: true
    - name: Skipped fail
      ansible.builtin.fail:
        msg: never
      when: false
      run_once: true
"""


# ------------------------------------------------------------------ runs
def _tree_rss_sampler(pid, stop, out):
    """Largest sum of VmRSS over the process tree rooted at *pid* (sampled)."""
    peak = 0
    while not stop.is_set():
        children = {}
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry, "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
        todo = [pid]
        while todo:
            current = todo.pop()
            todo.extend(children.get(current, ()))
            try:
                with open("/proc/%d/statm" % current, "rb") as handle:
                    total += int(handle.read().split()[1]) * resource.getpagesize()
            except (OSError, IndexError, ValueError):
                pass
        peak = max(peak, total)
        stop.wait(0.5)
    out.append(peak)


def run_playbook(label, playbook, inventory, work, forks, extra_vars=None, env_extra=None, log=None):
    """Runs ansible-playbook once; returns its figures (wall, CPU of the tree, memory)."""
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CONFIG": os.path.join(REPO, "ansible.cfg"),
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, "collections"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(work, "ansible-tmp"),
        "ANSIBLE_HOME": os.path.join(work, "ansible-home"),
        "ANSIBLE_FORKS": str(forks),
        "ANSIBLE_HOST_KEY_CHECKING": "false",
        "PATH": os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    })
    env.update(env_extra or {})
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, playbook]
    for key, value in (extra_vars or {}).items():
        cmd += ["-e", json.dumps({key: value})]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop, peak = threading.Event(), []
    log_path = log or os.path.join(work, "logs", "%s.log" % label)
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "wb") as handle:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)
        sampler = threading.Thread(target=_tree_rss_sampler, args=(proc.pid, stop, peak), daemon=True)
        sampler.start()
        rc = proc.wait()
        seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log_path, "rb") as handle:
        tail = handle.read()[-3000:].decode("utf-8", "replace")
    recap = [line for line in tail.splitlines() if " : ok=" in line]
    failed = sum(1 for line in recap if "failed=0" not in line)
    return {"label": label, "rc": rc, "seconds": seconds,
            "cpu_seconds": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            # ru_maxrss of RUSAGE_CHILDREN: the largest single reaped process so far
            # (cumulative over this benchmark's runs: the runs are in increasing size).
            "peak_rss_mb": after.ru_maxrss / 1024.0, "tree_rss_mb": (peak[0] if peak else 0) / 1048576.0,
            "log": log_path, "recap_failed_lines": failed}


def _drift_vars(work, inventory_dir, run):
    return {"taskguard_report_dir": os.path.join(work, "runs", run, "reports"),
            "taskguard_state_dir": os.path.join(work, "runs", run, "state"),
            "taskguard_task_inventory_dir": inventory_dir}


def _report_summary(report_dir):
    path = os.path.join(report_dir, "drift.json")
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
    except (OSError, ValueError) as exc:
        return "no drift.json (%s)" % exc
    summary = doc.get("summary") or {}
    return "hosts %s, findings %s %s" % (summary.get("hosts"), summary.get("findings"),
                                         json.dumps(summary.get("by_severity"), sort_keys=True))


def machine_speed():
    """A fixed piece of Python work timed now (the machine's speed at the moment)."""
    started = time.perf_counter()
    digest = b""
    for _round in range(2000000):
        digest = hashlib.sha256(digest).digest()
    return time.perf_counter() - started


# ------------------------------------------------------------------ live variant
LIVE_MATERIALS = 20   # distinct recorded module results, hosts take them round robin

STAND_IN = '''#!/usr/bin/python
# Bench-only stand-in for taskguard.windows.collect (generated by tools/bench_e2e.py,
# never shipped): returns recorded module output named by TASKGUARD_BENCH_MATERIAL.
import json
import os
import sys

from ansible.module_utils.basic import _load_params


def main():
    _load_params()   # whatever the action asks for: the recorded answer is the same
    with open(os.environ["TASKGUARD_BENCH_MATERIAL"], "rb") as handle:
        data = handle.read()
    # Written as it is: the module's output is the recorded JSON (exit_json would decode
    # and encode it again, which the real PowerShell module does not do on the controller).
    sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()
    sys.exit(0)


if __name__ == "__main__":
    main()
'''


def build_live(work, hosts):
    """Shadow collection with the stand-in collect module, recorded material, inventory."""
    import bench_fleet
    live = os.path.join(work, "live")
    shadow = os.path.join(live, "collections", "ansible_collections", "taskguard", "windows")
    if os.path.isdir(os.path.join(live, "collections")):
        shutil.rmtree(os.path.join(live, "collections"))
    os.makedirs(shadow)
    for name in os.listdir(REPO):
        if name in ("plugins", ".git", ".build", ".venv", "collections"):
            continue
        os.symlink(os.path.join(REPO, name), os.path.join(shadow, name))
    for sub in os.listdir(os.path.join(REPO, "plugins")):
        src = os.path.join(REPO, "plugins", sub)
        if sub != "modules":
            os.makedirs(os.path.join(shadow, "plugins"), exist_ok=True)
            os.symlink(src, os.path.join(shadow, "plugins", sub))
    modules = os.path.join(shadow, "plugins", "modules")
    os.makedirs(modules)
    for name in os.listdir(os.path.join(REPO, "plugins", "modules")):
        if name.startswith("collect."):
            continue
        os.symlink(os.path.join(REPO, "plugins", "modules", name), os.path.join(modules, name))
    with open(os.path.join(modules, "collect.py"), "w", encoding="utf-8") as handle:
        handle.write(STAND_IN)
    # The other collections (ansible.windows, ...) come from the regular path after this one.
    material_dir = os.path.join(live, "material")
    os.makedirs(material_dir, exist_ok=True)
    fleet = bench_fleet.Fleet(LIVE_MATERIALS, tasks_per_host=250, events=50 * LIVE_MATERIALS, vendors=60)
    tasks = 0
    for index in range(LIVE_MATERIALS):
        _name, result = fleet.host(index)
        tasks += len(result["tasks"]["api"]["tasks"])
        path = os.path.join(material_dir, "m%02d.json" % index)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(bench_fleet.module_json(result))
        wrapper = os.path.join(material_dir, "python-m%02d" % index)
        with open(wrapper, "w", encoding="utf-8") as handle:
            handle.write('#!/bin/sh\nTASKGUARD_BENCH_MATERIAL="%s" exec "%s" "$@"\n' % (path, sys.executable))
        os.chmod(wrapper, 0o755)
    inv_paths = bench_fleet.write_inventory(os.path.join(live, "task_inventory"), 60)
    inventory = write_ansible_inventory(work, hosts, inv_paths, name="inventory-live.yml", live=True)
    return {"collections": os.path.join(live, "collections"), "inventory": inventory, "inventory_dir": inv_paths,
            "tasks_per_host": tasks / float(LIVE_MATERIALS)}


# ------------------------------------------------------------------ driver
def _line(fig):
    return ("E2E hosts=%d tasks=%d seconds=%.2f floor_seconds=%.2f ratio=%.2f peak_rss_mb=%.0f tree_rss_mb=%.0f "
            "cpu_seconds=%.1f floor_cpu_seconds=%.1f forks=%d" % (
                fig["hosts"], fig["tasks"], fig["seconds"], fig["floor_seconds"], fig["ratio"], fig["peak_rss_mb"],
                fig["tree_rss_mb"], fig["cpu_seconds"], fig["floor_cpu_seconds"], fig["forks"]))


def task_times(log_path):
    """[(seconds, task name)] of the TASKS RECAP that ansible.posix.profile_tasks printed, longest first."""
    times, in_recap = [], False
    with open(log_path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("TASKS RECAP"):
                in_recap = True
            elif in_recap:
                match = re.match(r"^(.*?) -+ (\d+\.\d+)s\s*$", line)
                if match:
                    times.append((float(match.group(2)), match.group(1).strip()))
    return sorted(times, reverse=True)


def _config_without_callbacks(work):
    path = os.path.join(work, "ansible-no-callbacks.cfg")
    with open(os.path.join(REPO, "ansible.cfg"), encoding="utf-8") as handle:
        lines = [line for line in handle if not line.strip().replace(" ", "").startswith("callbacks_enabled=")]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("".join(lines).replace("./collections", os.path.join(REPO, "collections"))
                     .replace("./roles", os.path.join(REPO, "roles")))
    return path


def measure(opts, hosts):
    gen = generate(hosts)
    work = WORK
    print("fleet: %d hosts (%d generated now in %.0f s), %d tasks (%.0f per host), %d hosts with findings"
          % (hosts, gen["made"], gen["generate_seconds"], gen["tasks"], gen["tasks"] / float(hosts),
             gen["findings_hosts"]), flush=True)
    inventory = write_ansible_inventory(work, hosts, gen["inventory_dir"], name="inventory-%d.yml" % hosts)
    floor_play = os.path.join(work, "floor.yml")
    with open(floor_play, "w", encoding="utf-8") as handle:
        handle.write(FLOOR_PLAY)
    drift = os.path.join(REPO, "playbooks", "drift.yml")
    speed_before = machine_speed()
    runs = []
    plan = [("floor", None), ("drift", None)]
    if opts.preload_ab:
        plan = [("floor", None)] + [("drift", "0"), ("drift", "1")] * opts.ab_rounds + [("floor", None)]
    for n, (kind, preload) in enumerate(plan):
        label = "%s-%d-%d%s" % (kind, hosts, n, "" if preload is None else "-preload%s" % preload)
        env_extra = {}
        if opts.tasks:
            # the same callbacks for the floor and the drift run: both pay profile_tasks
            env_extra["ANSIBLE_CALLBACKS_ENABLED"] = PRELOAD + ",ansible.posix.profile_tasks"
        if preload is not None:
            # Both sides read the same copy of ansible.cfg without callbacks_enabled; B adds the preload.
            env_extra = {"ANSIBLE_CONFIG": _config_without_callbacks(work)}
            if preload == "1":
                env_extra["ANSIBLE_CALLBACKS_ENABLED"] = PRELOAD
        if kind == "floor":
            fig = run_playbook(label, floor_play, inventory, work, opts.forks, env_extra=env_extra)
        else:
            run_vars = _drift_vars(work, gen["inventory_dir"], label)
            shutil.rmtree(os.path.join(work, "runs", label), ignore_errors=True)
            fig = run_playbook(label, drift, inventory, work, opts.forks, extra_vars=run_vars, env_extra=env_extra)
            fig["report"] = _report_summary(run_vars["taskguard_report_dir"])
        runs.append(fig)
        print("  %-28s rc=%d %7.2f s wall, %7.1f s CPU, largest process %4.0f MB, tree %5.0f MB%s" % (
            label, fig["rc"], fig["seconds"], fig["cpu_seconds"], fig["peak_rss_mb"], fig["tree_rss_mb"],
            ("; " + fig["report"]) if fig.get("report") else ""), flush=True)
        if fig["rc"] != 0:
            print("    (exit code %d, see %s)" % (fig["rc"], fig["log"]))
        if opts.tasks:
            for seconds, name in task_times(fig["log"])[:6]:
                print("      %7.2f s  %s" % (seconds, name[:90]), flush=True)
    speed_after = machine_speed()
    floors = [r for r in runs if r["label"].startswith("floor")]
    drifts = [r for r in runs if r["label"].startswith("drift")]
    floor = min(floors, key=lambda r: r["seconds"])
    # With --preload-ab the figure is the shipped configuration's (preload on).
    main_drift = [r for r in drifts if not r["label"].endswith("preload0")][0]
    out = {"hosts": hosts, "tasks": gen["tasks"], "seconds": main_drift["seconds"], "floor_seconds": floor["seconds"],
           "ratio": main_drift["seconds"] / floor["seconds"], "peak_rss_mb": main_drift["peak_rss_mb"],
           "tree_rss_mb": main_drift["tree_rss_mb"], "cpu_seconds": main_drift["cpu_seconds"],
           "floor_cpu_seconds": floor["cpu_seconds"], "forks": opts.forks, "runs": runs,
           "speed": (speed_before, speed_after)}
    print("  machine speed (2,000,000 SHA-256 rounds): %.2f s before, %.2f s after" % out["speed"])
    if opts.preload_ab:
        for preload in ("0", "1"):
            sel = [r for r in drifts if r["label"].endswith("preload" + preload)]
            print("  preload=%s: %s s wall (ratio to floor %s), %s s CPU" % (
                preload, ", ".join("%.2f" % r["seconds"] for r in sel),
                ", ".join("%.2f" % (r["seconds"] / floor["seconds"]) for r in sel),
                ", ".join("%.1f" % r["cpu_seconds"] for r in sel)))
    return out


def measure_live(opts, hosts):
    work = WORK
    live = build_live(work, hosts)
    floor_play = os.path.join(work, "floor.yml")
    with open(floor_play, "w", encoding="utf-8") as handle:
        handle.write(FLOOR_PLAY)
    env_extra = {"ANSIBLE_COLLECTIONS_PATH": os.pathsep.join([live["collections"], os.path.join(REPO, "collections")])}
    floor = run_playbook("live-floor-%d" % hosts, floor_play, live["inventory"], work, opts.forks, env_extra=env_extra)
    label = "live-drift-%d" % hosts
    run_vars = _drift_vars(work, live["inventory_dir"], label)
    shutil.rmtree(os.path.join(work, "runs", label), ignore_errors=True)
    drift = run_playbook(label, os.path.join(REPO, "playbooks", "drift.yml"), live["inventory"], work, opts.forks,
                         extra_vars=run_vars, env_extra=env_extra)
    drift["report"] = _report_summary(run_vars["taskguard_report_dir"])
    for fig in (floor, drift):
        print("  %-28s rc=%d %7.2f s wall, %7.1f s CPU, largest process %4.0f MB, tree %5.0f MB%s" % (
            fig["label"], fig["rc"], fig["seconds"], fig["cpu_seconds"], fig["peak_rss_mb"], fig["tree_rss_mb"],
            ("; " + fig["report"]) if fig.get("report") else ""), flush=True)
    return {"hosts": hosts, "tasks": int(live["tasks_per_host"] * hosts), "seconds": drift["seconds"],
            "floor_seconds": floor["seconds"], "ratio": drift["seconds"] / floor["seconds"],
            "peak_rss_mb": drift["peak_rss_mb"], "tree_rss_mb": drift["tree_rss_mb"],
            "cpu_seconds": drift["cpu_seconds"], "floor_cpu_seconds": floor["cpu_seconds"], "forks": opts.forks}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="End-to-end benchmark of playbooks/drift.yml against Ansible's floor")
    parser.add_argument("--hosts", type=int, default=2000, help="fleet size (default 2000)")
    parser.add_argument("--forks", type=int, default=5, help="ansible forks (default 5, Ansible's default)")
    parser.add_argument("--also-hosts", type=int, action="append", default=[],
                        help="another fleet size measured after the first (linearity), e.g. 4000")
    parser.add_argument("--quick", action="store_true", help="smoke run: 200 hosts")
    parser.add_argument("--live", action="store_true",
                        help="also the live path with a recorded stand-in for the collect module")
    parser.add_argument("--live-only", action="store_true", help="only the live variant (with its own floor)")
    parser.add_argument("--preload-ab", action="store_true",
                        help="drift runs with and without the controller preload, interleaved")
    parser.add_argument("--ab-rounds", type=int, default=2, help="A/B pairs of --preload-ab (default 2)")
    parser.add_argument("--generate-only", action="store_true", help="only generate the fleet and inventories")
    parser.add_argument("--tasks", action="store_true",
                        help="time each task (ansible.posix.profile_tasks, in the floor and the drift runs alike)")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.hosts = 200
    if opts.hosts < 1 or opts.forks < 1 or opts.ab_rounds < 1 or any(n < 1 for n in opts.also_hosts):
        parser.error("--hosts, --forks, --ab-rounds and --also-hosts must be positive")
    return opts


def main(argv=None):
    opts = parse_args(argv)
    print("machine: %s, %d CPUs, Python %s, load average %s" % (
        platform.machine(), os.cpu_count() or 0, platform.python_version(),
        " ".join("%.1f" % x for x in os.getloadavg())), flush=True)
    if opts.generate_only:
        for hosts in [opts.hosts] + opts.also_hosts:
            gen = generate(hosts)
            write_ansible_inventory(WORK, hosts, gen["inventory_dir"], name="inventory-%d.yml" % hosts)
            print("fleet: %d hosts, %d tasks, %d generated now" % (hosts, gen["tasks"], gen["made"]))
        return 0
    if opts.live_only:
        print(_line(measure_live(opts, opts.hosts)).replace("E2E ", "E2E-LIVE ", 1))
        return 0
    primary = _line(measure(opts, opts.hosts))
    others = [_line(measure(opts, hosts)) for hosts in opts.also_hosts]
    if opts.live:
        others.append(_line(measure_live(opts, opts.hosts)).replace("E2E ", "E2E-LIVE ", 1))
    for line in others:
        print(line)
    print(primary)   # the main figure last (machine-readable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
