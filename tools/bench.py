# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Performance figures of the controller path (``make bench``): prints, never asserts.

    .venv/bin/python tools/bench.py [--hosts 2000] [--tasks-per-host 250] [--events N]
                                    [--vendors 60] [--also-hosts 4000] [--workers N]
                                    [--quick] [--profile]

Method and the meaning of every figure: docs/performance.md. In short, each fleet
size runs in its own child process, which

* phase A (not timed as controller work): builds every host's synthetic ``collect``
  module result (tools/bench_fleet.py), stores it as the JSON the module prints,
  and measures on it the floor (a bare lxml parse of every XML document), our
  normalization (``normalize_live_tasks`` + ``normalize_live_events``) and the
  steady-state figures;
* phase B (``seconds``, wall clock): runs the real ``taskguard.windows.audit``
  action plugin for every host on a pool of forked, warm worker processes (one
  per core, as Ansible's forks), the module output decoded from JSON and handed
  in through ``_execute_module``; then the real ``taskguard.windows.drift_report``
  action once in the parent (all report formats, bookmarks advanced).

The per-fork start-up a real ``ansible-playbook`` run pays on top (Ansible forks a
worker per host and task) is measured in a fresh process and printed separately.
"""
from __future__ import (absolute_import, division, print_function)

import argparse
import cProfile
import gc
import importlib.util
import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "collections"))
sys.path.insert(0, HERE)

TODAY = "2026-11-25"
STEADY_SAMPLE = 10   # steady-state figures on every 10th host (they vary little)
RATIO_SAMPLE = 10    # floor ratio on every 10th host
RATIO_ROUNDS = 3     # ... in 3 rounds, the median reported
PROBE_HOSTS = 20     # the VM's speed before/after the timed phase: the floor of 20 hosts
# The authentic fixtures travel with the repository (tests/unit/fixtures/authentic);
# TASKGUARD_SHARED_FIXTURES points at another copy with the same layout.
EVTX_SOURCE = os.path.join(os.environ.get("TASKGUARD_SHARED_FIXTURES",
                                          os.path.join(REPO, "tests", "unit", "fixtures", "authentic")),
                           "evtx", "donpapi-benign-4702.evtx")
EVTX_BENCH = os.path.join(REPO, "tests", "unit", "plugins", "task_events", "bench_evtx.py")


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# ------------------------------------------------------------------ harness
def _action(cls, args):
    """The action plugin as Ansible instantiates it, minus a connection."""
    from unittest.mock import MagicMock
    from ansible.playbook.task import Task
    from ansible.template import Templar
    task = Task()
    task.args = args
    connection = MagicMock()
    connection._shell.tmpdir = None
    play_context = MagicMock()
    play_context.check_mode = False
    loader = MagicMock()
    loader.path_dwim.side_effect = lambda p: p
    return cls(task, connection, play_context, loader, Templar(loader=loader), None)


def _floor(docs, etree):
    # Declarations are cut before the clock starts: only the parse is the floor.
    docs = [doc[doc.index("?>") + 2:] if isinstance(doc, str) and doc.startswith("<?xml") else doc for doc in docs]
    parser = etree.XMLParser()
    started = time.process_time()
    for doc in docs:
        etree.fromstring(doc, parser)
    return time.process_time() - started


_G = {}   # per-process state of the pool workers (inherited through fork)


def _prepare_chunk(indices):
    """Phase A (not timed as controller work): build each host's module result,
    store it as the JSON text the module prints, normalize it once (which fills
    the run's shared definition store, as the first hosts of a first run do) and
    take the steady-state sample."""
    import bench_fleet
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, definition_cache
    fleet, tmp = _G["fleet"], _G["tmp"]
    from ansible_collections.taskguard.windows.plugins.plugin_utils.definition_store import DefinitionStore, pack_key
    out = {"xml_docs": 0, "json_bytes": 0, "tasks": 0, "events": 0, "names": [],
           "tasks_bytes": 0, "events_bytes": 0, "steady_tasks_bytes": 0, "cache_save": 0.0, "cache_expand": 0.0,
           "sampled": 0}
    for index in indices:
        name, module_result = fleet.host(index)
        tasks_text = bench_fleet.module_json(module_result["tasks"])
        events_text = bench_fleet.module_json(module_result["events"])
        text = '{"changed":false,"tasks":%s,"events":%s,"errors":{}}' % (tasks_text, events_text)
        out["json_bytes"] += len(text.encode("utf-8"))
        out["tasks_bytes"] += len(tasks_text.encode("utf-8"))
        out["events_bytes"] += len(events_text.encode("utf-8"))
        del tasks_text, events_text
        with open(os.path.join(tmp, "host-%06d.json" % index), "w", encoding="utf-8") as handle:
            handle.write(text)
        module_result = json.loads(text)   # the controller's copy, as Ansible decodes it
        out["xml_docs"] += len(bench_fleet.xml_documents(module_result))
        tasks_result, events_result, _problems = audit_support.normalize_live(
            module_result, store=DefinitionStore(_G["normalize_store"], host=name))
        out["tasks"] += len(tasks_result["tasks"])
        out["events"] += len(events_result["events"])
        if index % STEADY_SAMPLE == 0:
            # Steady state (every STEADY_SAMPLE-th host): what the collector returns
            # when every definition is known (plugins/plugin_utils/definition_cache.py),
            # and what keeping and loading the definitions costs the controller.
            # As the audit does it: the store of the run (with the host's pack) is
            # the one the cache is saved with and loaded through.
            out["sampled"] += 1
            t0 = time.process_time()
            store = DefinitionStore(_G["cache_dir"], host=name)
            store.use_pack(pack_key(tasks_result["host"]))
            definition_cache.save(_G["cache_dir"], name, tasks_result, store=store)
            out["cache_save"] += time.process_time() - t0
            steady = bench_fleet.steady_state_material(module_result["tasks"])
            out["steady_tasks_bytes"] += len(bench_fleet.module_json(steady).encode("utf-8"))
            t0 = time.process_time()
            store = DefinitionStore(_G["cache_dir"], host=name)
            entries = definition_cache.load(_G["cache_dir"], name, store=store)
            store.save_pack()   # what the run's normalize_live does at its end
            out["cache_expand"] += time.process_time() - t0
            if len(entries) != len(module_result["tasks"]["api"]["tasks"]):
                raise SystemExit("definition cache of %s holds %d of %d definitions"
                                 % (name, len(entries), len(module_result["tasks"]["api"]["tasks"])))
        out["names"].append((index, name))
    return out


def _module_output(index):
    """The text host ``index``'s collect module printed (written in phase A)."""
    with open(os.path.join(_G["tmp"], "host-%06d.json" % index), "r", encoding="utf-8") as handle:
        return handle.read()


def _floor_probe(names, hosts=PROBE_HOSTS):
    """The floor per host (CPU seconds, median of 5 passes) on a few hosts: this
    VM's speed at that moment, measured just before and just after the timed phase
    so a run can be read against the machine it ran on. Back to back, passes of
    this probe took 4.4 to 7.2 ms per host within a minute: it brackets, it does
    not correct."""
    from lxml import etree
    import bench_fleet
    picked = names[::max(1, len(names) // hosts)][:hosts]
    docs = []
    for index, _name in picked:
        docs.extend(bench_fleet.xml_documents(json.loads(_module_output(index))))
    passes = sorted(_floor(docs, etree) for _round in range(5))
    return passes[2] / max(1, len(picked)), len(picked)


def _ratio_pass(names):
    """The floor and our normalization on the same material, in one process with
    nothing else running (two processes at once made both figures noisy): every
    RATIO_SAMPLE-th host, CPU time, floor and ours one after the other per host.
    With the shared definition store as the audit uses it (filled by phase A, as
    for every host after the first few of a first run) and per document without
    it (every definition parsed). RATIO_ROUNDS rounds over the same hosts: this
    VM's speed drifts within minutes, and not by the same factor for libxml2 and
    for Python code, so the figure is the median round (all are printed)."""
    return _ratio_rounds(names)


def _ratio_rounds(names):
    from lxml import etree
    import bench_fleet
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
    from ansible_collections.taskguard.windows.plugins.plugin_utils.definition_store import DefinitionStore
    rounds = []
    for _round in range(RATIO_ROUNDS):
        out = {"floor": 0.0, "normalize": 0.0, "per_document": 0.0, "hosts": 0, "docs": 0,
               "pack_hits": 0, "single_hits": 0, "written": 0}
        for index, name in names[::RATIO_SAMPLE]:
            module_result = json.loads(_module_output(index))
            docs = bench_fleet.xml_documents(module_result)
            out["docs"] += len(docs)
            out["floor"] += _floor(docs, etree)
            del docs
            store = DefinitionStore(_G["normalize_store"], host=name)
            t0 = time.process_time()
            audit_support.normalize_live(module_result, store=store)
            out["normalize"] += time.process_time() - t0
            out["pack_hits"] += store.pack_hits
            out["single_hits"] += store.hits - store.pack_hits
            out["written"] += store.written
            t0 = time.process_time()
            audit_support.normalize_live(module_result)
            out["per_document"] += time.process_time() - t0
            out["hosts"] += 1
        out["ratio"] = out["normalize"] / out["floor"] if out["floor"] else 0.0
        out["doc_ratio"] = out["per_document"] / out["floor"] if out["floor"] else 0.0
        rounds.append(out)
    median = sorted(rounds, key=lambda r: r["ratio"])[len(rounds) // 2]
    return dict(median, rounds=[(r["ratio"], r["doc_ratio"]) for r in rounds])


def _audit_host(item):
    """Phase B (timed): what one Ansible worker does for one host's audit task."""
    index, name = item
    audit = _G["audit"]
    profiler = _G.get("profiler")
    if profiler is not None:
        profiler.enable()
    t0 = time.process_time()
    module_result = _ansible_decode(_module_output(index))
    decoded = time.process_time() - t0   # Ansible's share (reading + decoding the module output)
    audit._execute_module = lambda module_name, module_args, task_vars, _r=module_result: _r
    result = audit.run(task_vars={"inventory_hostname": name, "group_names": ["windows", "workstations"]})
    elapsed = time.process_time() - t0   # CPU time of this worker for this host
    if profiler is not None:
        profiler.disable()
    return name, result, elapsed, decoded


def _prepare_steady(indices):
    """Not timed: each host's module output as the collector prints it in the
    steady state (every definition known and unchanged)."""
    import bench_fleet
    for index in indices:
        module_result = json.loads(_module_output(index))
        module_result["tasks"] = bench_fleet.steady_state_material(module_result["tasks"])
        with open(os.path.join(_G["tmp"], "host-%06d.steady.json" % index), "w", encoding="utf-8") as handle:
            handle.write(bench_fleet.module_json(module_result))
    return len(indices)


def _audit_host_steady(item):
    """Phase C (timed): the audit of a host in the steady state (second run)."""
    index, name = item
    audit = _G["audit_steady"]
    t0 = time.process_time()
    with open(os.path.join(_G["tmp"], "host-%06d.steady.json" % index), "r", encoding="utf-8") as handle:
        module_result = _ansible_decode(handle.read())
    audit._execute_module = lambda module_name, module_args, task_vars, _r=module_result: _r
    result = audit.run(task_vars={"inventory_hostname": name, "group_names": ["windows", "workstations"]})
    return name, result, time.process_time() - t0


def _init_steady_worker():
    from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule as Audit
    _G["audit_steady"] = _action(Audit, {"inventory_dir": _G["inventory_paths"], "state_dir": _G["steady_dir"],
                                         "today": TODAY})


def _steady_phase(ctx, opts, names, inv_dir):
    """Second run of the same fleet in the steady state: definition caches from the
    first run (no bookmarks, so the same events are normalized again)."""
    from ansible_collections.taskguard.windows.plugins.action import audit as audit_action
    if "definition_cache" not in getattr(audit_action, "_ARGS", {}):
        return None
    steady_dir = _G["steady_dir"] = os.path.join(_G["tmp"], "state-steady")
    os.makedirs(steady_dir)
    for entry in os.listdir(_G["state_dir"]):
        if entry.endswith(".definitions.json.gz"):
            shutil.copy(os.path.join(_G["state_dir"], entry), steady_dir)
    store = os.path.join(_G["state_dir"], "definitions")   # the shared definition store
    if os.path.isdir(store):
        shutil.copytree(store, os.path.join(steady_dir, "definitions"))
    chunks = [[i for i, _n in names[k:k + 25]] for k in range(0, len(names), 25)]
    with ctx.Pool(opts.workers) as pool:
        sum(pool.imap_unordered(_prepare_steady, chunks))
    results, cpu, omitted = {}, 0.0, 0
    with ctx.Pool(opts.workers, initializer=_init_steady_worker) as pool:
        pool.map(time.sleep, [0.01] * opts.workers * 4)
        t0 = time.perf_counter()
        for name, result, elapsed in pool.imap(_audit_host_steady, names, chunksize=8):
            results[name] = result
            cpu += elapsed
            omitted += (result.get("definition_cache") or {}).get("omitted") or 0
        t_audit = time.perf_counter() - t0
    report_dir = os.path.join(_G["tmp"], "reports-steady")
    out, t_report = _run_report(names, results, report_dir, steady_dir, "bench-steady", inv_dir)
    return {"seconds": t_audit + t_report, "audit_seconds": t_audit, "report_seconds": t_report,
            "cpu_ms_per_host": 1000 * cpu / max(1, len(names)), "omitted_per_host": omitted / float(max(1, len(names))),
            "findings": out["summary"]["findings"]}


def _run_report(names, results, report_dir, state_dir, run_id, inv_dir, profiler=None):
    """The real drift_report action once, as playbooks/drift.yml calls it: the
    audit results reach it as every host's registered variable (hostvars), not
    as an argument. Returns (its result, wall seconds)."""
    from ansible_collections.taskguard.windows.plugins.action.drift_report import ActionModule as DriftReport
    report = _action(DriftReport, {"hosts": [n for _i, n in names], "report_dir": report_dir,
                                   "state_dir": state_dir, "run_id": run_id, "inventory_dir": [inv_dir]})
    task_vars = {"hostvars": {name: {"taskguard_audit": res} for name, res in results.items()}}
    if profiler is not None:
        profiler.enable()
    t0 = time.perf_counter()
    out = report.run(task_vars=task_vars)
    seconds = time.perf_counter() - t0
    if profiler is not None:
        profiler.disable()
    return out, seconds


def _create_cost_us(files=300, parent=None):
    """Wall time to create, write (2 KB) and rename a file in the work dir, as
    the state dir's writers do: on the project VM it was ~50 us on one folder
    and ~500 us on another of the same disk (docs/performance.md)."""
    folder = tempfile.mkdtemp(prefix="taskguard-bench-probe-", dir=parent)
    try:
        started = time.perf_counter()
        for i in range(files):
            tmp = os.path.join(folder, "%d.tmp" % i)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, b"x" * 2048)
            os.close(fd)
            os.replace(tmp, os.path.join(folder, "%d.json" % i))
        return (time.perf_counter() - started) / files * 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)


QUIET_CREATE_US = 200.0   # phase B starts once creating a file in the state dir costs less


def _settle_disk(folder, quiet_us=QUIET_CREATE_US, limit_s=60.0):
    """Wait (at most ``limit_s``) until creating a file in ``folder`` costs less
    than ``quiet_us``: on the project VM (ext4 with ``discard``) the gigabytes a
    previous run deleted made it 0.5-1 ms for minutes, which phase B would
    measure as ours (a first audit creates ~8 files per host). Returns (cost in
    us when the clock starts, seconds waited)."""
    started = time.perf_counter()
    os.sync()
    cost = _create_cost_us(100, folder)
    while cost > quiet_us and time.perf_counter() - started < limit_s:
        time.sleep(2.0)
        cost = _create_cost_us(100, folder)
    return cost, time.perf_counter() - started


def _ansible_decode(stdout):
    """Decode module output as ActionBase._parse_returned_data does (non-JSON line
    filter + the module decoder of the legacy serialization profile)."""
    from ansible.module_utils.common.json import Direction, get_module_decoder
    from ansible.plugins.action import _filter_non_json_lines
    text, _warnings = _filter_non_json_lines(stdout, objects_only=True)
    return json.loads(text, cls=get_module_decoder("legacy", Direction.MODULE_TO_CONTROLLER))


def _init_audit_worker():
    """Warm a pool process like a long-lived worker: import, load inventory and
    rules once (a cold Ansible fork pays this per host: see cold_start)."""
    from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule as Audit
    audit = _action(Audit, {"inventory_dir": _G["inventory_paths"], "state_dir": _G["state_dir"], "today": TODAY})
    _G["audit"] = audit
    _G["profiler"] = cProfile.Profile() if _G.get("profile") else None
    module_result = json.loads(_module_output(0))
    audit._execute_module = lambda module_name, module_args, task_vars, _r=module_result: _r
    audit.run(task_vars={"inventory_hostname": "warm-up", "group_names": []})


def _worker_rss(_dummy):
    time.sleep(0.05)   # let every worker take one of these
    return os.getpid(), _rss_mb()


def _profile_dump(_dummy):
    profiler = _G.get("profiler")
    if profiler is None:
        return None
    path = os.path.join(_G["tmp"], "profile-%d.pstats" % os.getpid())
    profiler.dump_stats(path)
    return path


def worker(opts):
    """One fleet size, in its own process; prints one JSON line."""
    import multiprocessing
    import bench_fleet
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support

    tmp = tempfile.mkdtemp(prefix="taskguard-bench-")
    try:
        inv_dir = os.path.join(tmp, "inventory")
        state_dir = os.path.join(tmp, "state")
        report_dir = os.path.join(tmp, "reports")
        for d in (state_dir, report_dir):
            os.makedirs(d)
        inventory_paths = bench_fleet.write_inventory(inv_dir, opts.vendors)
        started = time.perf_counter()
        inventory, problems = audit_support.load_inventory(inventory_paths, TODAY)
        audit_support.load_rules([])
        inventory_load = time.perf_counter() - started
        if problems:
            raise SystemExit("synthetic inventory has problems: %s" % problems[:3])
        _G.update({"fleet": bench_fleet.Fleet(opts.hosts, tasks_per_host=opts.tasks_per_host, events=opts.events,
                                              vendors=opts.vendors),
                   "tmp": tmp, "inventory_paths": inventory_paths, "state_dir": state_dir, "profile": opts.profile,
                   "cache_dir": os.path.join(tmp, "definition-cache"),
                   "normalize_store": os.path.join(tmp, "normalize-store")})
        ctx = multiprocessing.get_context("fork")   # Ansible's workers are forks of the controller too

        # Phase A: material on disk, floor and normalize figures.
        chunks = [list(range(i, min(i + 25, opts.hosts))) for i in range(0, opts.hosts, 25)]
        prep = {"xml_docs": 0, "json_bytes": 0, "tasks": 0, "events": 0,
                "tasks_bytes": 0, "events_bytes": 0, "steady_tasks_bytes": 0, "cache_save": 0.0, "cache_expand": 0.0,
                "sampled": 0}
        names = []
        with ctx.Pool(opts.workers) as pool:
            for part in pool.imap_unordered(_prepare_chunk, chunks):
                for key in prep:
                    prep[key] += part[key]
                names.extend(part["names"])
        names.sort()
        os.sync()   # the module outputs just written must not be flushed while the clock runs
        ratio = _ratio_pass(names)
        settle = _settle_disk(state_dir)
        speed_before = _floor_probe(names)

        # Phase B (timed): every host's audit on `workers` warm processes, then
        # the report once in this process.
        gc.collect()
        results = {}
        per_host = 0.0
        profiles = []
        with ctx.Pool(opts.workers, initializer=_init_audit_worker) as pool:
            pool.map(time.sleep, [0.01] * opts.workers * 4)   # every worker initialized before the clock starts
            t0 = time.perf_counter()
            c0 = time.process_time()
            decode = 0.0
            for name, result, elapsed, decoded in pool.imap(_audit_host, names, chunksize=8):
                results[name] = result
                per_host += elapsed
                decode += decoded
            t_audit = time.perf_counter() - t0
            parent_cpu = time.process_time() - c0
            audit_rss = dict(pool.map(_worker_rss, range(opts.workers * 4), chunksize=1))
            if opts.profile:
                profiles = sorted({p for p in pool.map(_profile_dump, range(opts.workers * 4), chunksize=1) if p})
        profiler = cProfile.Profile() if opts.profile else None
        out, t_report = _run_report(names, results, report_dir, state_dir, "bench", inv_dir, profiler)
        speed_after = _floor_probe(names)
        report_bytes = {fmt: os.path.getsize(path) for fmt, path in out["paths"].items()}
        steady = _steady_phase(ctx, opts, names, inv_dir)
        findings = sum(len(r["findings"]) for r in results.values())
        largest_worker = max(audit_rss.values())
        # All processes at their peak at once: the parent plus every audit worker
        # (an upper bound of what the controller needs; Ansible's own memory aside).
        total_rss = _rss_mb() + largest_worker * opts.workers
        figures = {
            "hosts": opts.hosts, "tasks": prep["tasks"], "events": prep["events"], "workers": opts.workers,
            "seconds": t_audit + t_report, "audit_seconds": t_audit, "audit_cpu_seconds": per_host,
            "decode_cpu_seconds": decode,
            "parent_cpu_seconds": parent_cpu,
            "report_seconds": t_report,
            "normalize_seconds": ratio["normalize"], "floor_seconds": ratio["floor"],
            "floor_ratio": ratio["ratio"], "doc_floor_ratio": ratio["doc_ratio"], "ratio_rounds": ratio["rounds"],
            "ratio_hosts": ratio["hosts"], "ratio_docs": ratio["docs"],
            "ratio_store": {k: ratio[k] / float(max(1, ratio["hosts"])) for k in ("pack_hits", "single_hits", "written")},
            "xml_docs": prep["xml_docs"], "inventory_load_seconds": inventory_load,
            "inventory_entries": len(inventory.entries),
            "json_bytes_per_host": prep["json_bytes"] / float(max(1, opts.hosts)),
            "tasks_bytes_per_host": prep["tasks_bytes"] / float(max(1, opts.hosts)),
            "events_bytes_per_host": prep["events_bytes"] / float(max(1, opts.hosts)),
            "steady_tasks_bytes_per_host": prep["steady_tasks_bytes"] / float(max(1, prep["sampled"])),
            "cache_save_ms_per_host": 1000 * prep["cache_save"] / float(max(1, prep["sampled"])),
            "cache_expand_ms_per_host": 1000 * prep["cache_expand"] / float(max(1, prep["sampled"])),
            "loadavg": os.getloadavg(), "steady": steady, "settle": settle,
            "floor_probe": (speed_before[1], 1000 * speed_before[0], 1000 * speed_after[0]),
            "findings": findings, "hosts_with_findings": sum(1 for r in results.values() if r["findings"]),
            "report_bytes": report_bytes, "bookmarks_advanced": len(out["bookmarks_advanced"]),
            "summary": out["summary"], "peak_rss_mb": total_rss,
            "parent_rss_mb": _rss_mb(), "worker_rss_mb": largest_worker,
        }
        if profiler is not None:
            stream = io.StringIO()
            stats = pstats.Stats(profiler, *profiles, stream=stream)
            stats.sort_stats("tottime").print_stats(opts.profile_lines)
            stats.sort_stats("cumulative").print_stats(opts.profile_lines)
            figures["profile"] = stream.getvalue()
        print(json.dumps(figures, default=str))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cold_start(opts):
    """What each Ansible fork pays before its first host (a fresh process per host and
    task: ansible-playbook forks a WorkerProcess for every host of every task).

    The linear strategy already imported the action plugin (and what it imports at
    module level) in the controller process, so forks inherit that; they still
    import what the audit imports lazily, and load the inventory and rules
    (audit_support caches them per process) - unless the preload callback loaded
    them in the controller before the fork. Returns (lazy imports, load) in s.
    """
    code = (
        "import sys, time, tempfile; sys.path[:0]=[%r, %r]\n"
        "import bench_fleet\n"
        "from ansible_collections.taskguard.windows.plugins.action.audit import ActionModule\n"
        "from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support\n"
        "d=tempfile.mkdtemp(); p=bench_fleet.write_inventory(d, %d)\n"
        "t=time.process_time()\n"
        "from ansible_collections.taskguard.windows.plugins.plugin_utils import task_collection, event_collection\n"
        "from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_loader, inventory_propose\n"
        "t_import=time.process_time()-t\n"
        "t=time.process_time(); audit_support.load_inventory(p, %r); audit_support.load_rules([])\n"
        "t_load=time.process_time()-t\n"
        "print(t_import, t_load)\n"
    ) % (os.path.join(REPO, "collections"), HERE, opts.vendors, TODAY)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def breakdown(opts, hosts=40, rounds=3):
    """CPU per host and stage of the audit action's work, in this process (best of
    ``rounds`` over ``hosts`` hosts): where the time goes, without profiler overhead.
    As the audit runs: the shared definition store of the state dir (filled by the
    first host), the host's definition cache written at the end."""
    import bench_fleet
    from ansible.utils.unsafe_proxy import wrap_var
    from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support, definition_cache
    from ansible_collections.taskguard.windows.plugins.plugin_utils.definition_store import DefinitionStore
    from ansible_collections.taskguard.windows.plugins.plugin_utils.drift import Judges, Material, audit_host
    from ansible_collections.taskguard.windows.plugins.plugin_utils.event_collection import normalize_live_events
    from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import normalize_live_tasks
    tmp = tempfile.mkdtemp(prefix="taskguard-bench-")
    try:
        inventory, _problems = audit_support.load_inventory(bench_fleet.write_inventory(tmp, opts.vendors), TODAY)
        rules = audit_support.load_rules([])
        propose = audit_support.proposer(TODAY)
        fleet = bench_fleet.Fleet(hosts, tasks_per_host=opts.tasks_per_host, events=50 * hosts, vendors=opts.vendors)
        texts = [bench_fleet.module_json(fleet.host(i)[1]) for i in range(hosts)]
        stages = ("JSON decode (Ansible)", "normalize tasks", "normalize events", "inventory view (for_host)",
                  "match, compare, score, propose", "unsafe wrapping", "definition cache")
        best = dict.fromkeys(stages, float("inf"))
        state_dir = os.path.join(tmp, "state")
        normalize_live_tasks(json.loads(texts[0])["tasks"], store=DefinitionStore(state_dir))   # the first host
        for _round in range(rounds):
            spent = dict.fromkeys(stages, 0.0)
            for i, text in enumerate(texts):
                store = DefinitionStore(state_dir, host="h%d" % i)
                marks = [time.process_time()]
                result = _ansible_decode(text)
                marks.append(time.process_time())
                tasks = normalize_live_tasks(result["tasks"], store=store)
                marks.append(time.process_time())
                events = normalize_live_events(result["events"], since=None, store=store)
                marks.append(time.process_time())
                host = {"name": "h%d" % i, "groups": [], "os_family": tasks["host"]["os_family"],
                        "domain_role": tasks["host"]["domain_role"]}
                view = inventory.for_host(host)
                marks.append(time.process_time())
                audit = audit_host(Material(host["name"], host, tasks, events), Judges(view, rules, propose))
                marks.append(time.process_time())
                wrap_var(audit)
                marks.append(time.process_time())
                store.save_pack()   # as audit_support.normalize_live does after the events
                definition_cache.save(state_dir, "h%d" % i, tasks, store=store)
                marks.append(time.process_time())
                for n, stage in enumerate(stages):
                    spent[stage] += marks[n + 1] - marks[n]
            for stage in stages:
                best[stage] = min(best[stage], spent[stage] / hosts)
        return best
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def evtx_figures(opts):
    """Offline .evtx scan rate, by the event engineer's bench (tests/unit/plugins/task_events/bench_evtx.py)."""
    if not os.path.isfile(EVTX_SOURCE):
        return None
    spec = importlib.util.spec_from_file_location("bench_evtx", EVTX_BENCH)
    bench_evtx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_evtx)
    from pathlib import Path
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.evtx"
        bench_evtx.build_repeated(Path(EVTX_SOURCE), opts.evtx_repeat, big)
        scan, matched, secs = bench_evtx.scan(big)
        return {"records": scan.records_scanned, "matched": matched, "seconds": secs, "errors": scan.error_count,
                "mb": os.path.getsize(big) / 1048576.0, "records_per_s": scan.records_scanned / secs if secs else 0}


def run_size(opts, hosts, events):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--hosts", str(hosts), "--events", str(events),
           "--tasks-per-host", str(opts.tasks_per_host), "--vendors", str(opts.vendors),
           "--workers", str(opts.workers), "--profile-lines", str(opts.profile_lines)]
    if opts.profile:
        cmd.append("--profile")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit("bench worker for %d hosts failed (exit %d)" % (hosts, proc.returncode))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def show(fig):
    print("fleet: %d hosts, %d tasks, %d events, %d inventory entries; %d findings on %d hosts"
          % (fig["hosts"], fig["tasks"], fig["events"], fig["inventory_entries"], fig["findings"], fig["hosts_with_findings"]))
    print("  controller path   %8.2f s  wall (audit action on %d processes %.2f s, CPU %.2f ms/host + %.2f s collecting "
          "results; drift_report %.2f s)"
          % (fig["seconds"], fig["workers"], fig["audit_seconds"], 1000 * fig["audit_cpu_seconds"] / max(1, fig["hosts"]),
             fig["parent_cpu_seconds"], fig["report_seconds"]))
    decode_ms = 1000 * fig["decode_cpu_seconds"] / max(1, fig["hosts"])
    print("                    of the CPU per host, %.2f ms is Ansible's own read and JSON decode of the module output "
          "(kept in 'seconds'); without it ~%.1f s" % (
              decode_ms, fig["seconds"] - fig["audit_seconds"] * fig["decode_cpu_seconds"] / max(1e-9, fig["audit_cpu_seconds"])))
    print("  normalize         %8.2f s  floor (lxml parse of the %d XML documents of %d hosts, every %dth) %.2f s  "
          "ratio %.2f (as the audit runs: shared definition store, first run of the fleet)"
          % (fig["normalize_seconds"], fig["ratio_docs"], fig["ratio_hosts"], RATIO_SAMPLE, fig["floor_seconds"],
             fig["floor_ratio"]))
    print("                    median of %d rounds over the same hosts: %s (per document: %s)"
          % (len(fig["ratio_rounds"]), ", ".join("%.2f" % r for r, _d in fig["ratio_rounds"]),
             ", ".join("%.2f" % d for _r, d in fig["ratio_rounds"])))
    print("                    per host: %.0f definitions from the build's pack, %.1f from single entries, %.1f parsed "
          "and kept" % (fig["ratio_store"]["pack_hits"], fig["ratio_store"]["single_hits"], fig["ratio_store"]["written"]))
    print("                    per document, without the store (every definition parsed): ratio %.2f; "
          "%d XML documents in the fleet" % (fig["doc_floor_ratio"], fig["xml_docs"]))
    print("  machine speed     the floor per host (lxml parse only, %d hosts, median of 5) was %.2f ms just before the timed phase "
          "and %.2f ms just after it (this VM's speed drifts; every figure moves with it)"
          % tuple(fig["floor_probe"]))
    print("  disk              creating a file in the state dir cost %.0f us when the clock started (waited %.0f s "
          "for it to settle below %.0f us)" % (tuple(fig["settle"]) + (QUIET_CREATE_US,)))
    print("  peak RSS          %8.0f MB  (report process %.0f MB + %d audit workers of at most %.0f MB each)"
          % (fig["peak_rss_mb"], fig["parent_rss_mb"], fig["workers"], fig["worker_rss_mb"]))
    print("  inventory+rules load %.2f s (once per warm worker, not in 'seconds'; see cold start)" % fig["inventory_load_seconds"])
    print("  module result     %8.0f KB/host over WinRM (compact JSON): tasks %.0f KB + events %.0f KB"
          % (fig["json_bytes_per_host"] / 1024.0, fig["tasks_bytes_per_host"] / 1024.0, fig["events_bytes_per_host"] / 1024.0))
    print("  steady state      tasks %.0f KB/host when every definition is known (%.1fx less); definition cache: "
          "save %.2f ms/host, load %.2f ms/host"
          % (fig["steady_tasks_bytes_per_host"] / 1024.0, fig["tasks_bytes_per_host"] / max(1.0, fig["steady_tasks_bytes_per_host"]),
             fig["cache_save_ms_per_host"], fig["cache_expand_ms_per_host"]))
    if fig.get("steady"):
        st = fig["steady"]
        print("  steady-state run  %8.2f s  wall (audit %.2f s, CPU %.2f ms/host, %.0f definitions/host left out and "
              "not parsed; drift_report %.2f s; %d findings, as in the first run: %d)"
              % (st["seconds"], st["audit_seconds"], st["cpu_ms_per_host"], st["omitted_per_host"], st["report_seconds"],
                 st["findings"], fig["findings"]))
    else:
        print("  steady-state run  not measured (the audit action has no definition_cache option)")
    print("  load average      %s (other processes on this machine inflate wall times)" % " ".join("%.2f" % x for x in fig["loadavg"]))
    print("  reports           %s" % ", ".join("%s %.1f MB" % (k, v / 1048576.0) for k, v in sorted(fig["report_bytes"].items())))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--tasks-per-host", type=int, default=250)
    parser.add_argument("--events", type=int, default=None, help="task events in the fleet (default 50 per host, >= 100,000)")
    parser.add_argument("--vendors", type=int, default=60, help="synthetic vendors in the inventory (6 entries each)")
    parser.add_argument("--also-hosts", type=int, default=None, help="second fleet size for the linearity figure")
    parser.add_argument("--quick", action="store_true", help="small smoke run (100 hosts, no second size)")
    parser.add_argument("--profile", action="store_true", help="print the cProfile of the measured part")
    parser.add_argument("--profile-lines", type=int, default=30)
    parser.add_argument("--evtx-repeat", type=int, default=None)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="audit processes, like Ansible forks (default: one per CPU)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure to FILE (JSON)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        return worker(opts)
    if opts.quick:
        opts.hosts = min(opts.hosts, 100)
        opts.also_hosts = None
    if opts.evtx_repeat is None:
        opts.evtx_repeat = 20 if opts.quick else 300

    def events_for(hosts):
        # 50 task events per host (100,000 for the default 2,000 hosts), or
        # --events for the main size, scaled for --also-hosts.
        if opts.events is not None:
            return opts.events * hosts // opts.hosts
        return 50 * hosts

    print("taskguard bench: %s, %d CPUs, Python %s" % (os.uname().machine, os.cpu_count(), sys.version.split()[0]))
    print("  work dir          %s: creating a small file there costs %.0f us now (the state dir is there too; "
          "a first run creates ~8 files per host; TMPDIR moves it)" % (tempfile.gettempdir(), _create_cost_us()))
    main_fig = run_size(opts, opts.hosts, events_for(opts.hosts))
    show(main_fig)
    if main_fig.get("profile"):
        print(main_fig["profile"])
    also = None
    if opts.also_hosts:
        also = run_size(opts, opts.also_hosts, events_for(opts.also_hosts))
        show(also)
        print("linearity: %d hosts took %.2fx the time of %d hosts (%.2fx the hosts)"
              % (also["hosts"], also["seconds"] / main_fig["seconds"], main_fig["hosts"], also["hosts"] / float(main_fig["hosts"])))
    parts = breakdown(opts)
    print("CPU per host by stage (in one process, best of 3 over 40 hosts; the audit action adds its own "
          "bookkeeping): " + ", ".join("%s %.1f ms" % (k, 1000 * v) for k, v in parts.items())
          + "; total %.1f ms" % (1000 * sum(parts.values())))
    imports, load = cold_start(opts)
    print("cold start per Ansible fork without the preload callback (CPU): lazy imports %.2f s, inventory (%d entries)"
          " + rules %.2f s; ansible-playbook forks once per host and task, so without the preload a real run adds"
          " ~%.0f s of CPU for %d hosts that the warm workers here do not pay (with it, nothing: the forks inherit them)"
          % (imports, main_fig["inventory_entries"], load, (imports + load) * main_fig["hosts"], main_fig["hosts"]))
    evtx = evtx_figures(opts)
    if evtx is None:
        print("evtx: %s not found, throughput not measured" % EVTX_SOURCE)
        rate = 0
    else:
        rate = evtx["records_per_s"]
        print("evtx: %d records (%.0f MB, chunks of the authentic donpapi-benign-4702.evtx repeated %dx), "
              "%d task events, %d errors, %.2f s, %.0f records/s"
              % (evtx["records"], evtx["mb"], opts.evtx_repeat, evtx["matched"], evtx["errors"], evtx["seconds"], rate))
    if opts.json:
        with open(opts.json, "w", encoding="utf-8") as handle:
            json.dump({"main": dict(main_fig, profile=None), "also": dict(also, profile=None) if also else None,
                       "breakdown_ms": {k: 1000 * v for k, v in parts.items()},
                       "cold_start": {"imports": imports, "load": load},
                       "evtx": evtx, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())},
                      handle, indent=1, default=str)
    if also:
        print("BENCH hosts=%d tasks=%d events=%d seconds=%.2f peak_rss_mb=%.0f floor_ratio=%.2f evtx_records_per_s=%d"
              % (also["hosts"], also["tasks"], also["events"], also["seconds"], also["peak_rss_mb"], also["floor_ratio"], rate))
    print("BENCH hosts=%d tasks=%d events=%d seconds=%.2f peak_rss_mb=%.0f floor_ratio=%.2f evtx_records_per_s=%d"
          % (main_fig["hosts"], main_fig["tasks"], main_fig["events"], main_fig["seconds"], main_fig["peak_rss_mb"],
             main_fig["floor_ratio"], rate))


if __name__ == "__main__":
    main()
