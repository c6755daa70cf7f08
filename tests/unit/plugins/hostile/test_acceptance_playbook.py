# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Acceptance (issue 9): ``ansible-playbook playbooks/drift.yml`` on an evidence
folder full of hostile files finishes in bounded time and reports each bad file,
with no entity expansion, no local file content leaked, no templating of host
data (a task named ``{{ lookup('pipe','touch ...') }}`` must not create the
file), no network, and inert reports in every format.

Invoked like the drift engineer's end-to-end tests (tests/unit/plugins/drift/
test_playbook_demo.py): same environment, a private ANSIBLE_HOME/LOCAL_TEMP.
"""
from __future__ import annotations

import codecs
import os
import subprocess
import sys
import uuid

import pytest

from . import payloads as P
from .pipeline import FILES, check_all

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
PLAYBOOK = os.path.join(REPO, "playbooks", "drift.yml")
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")


def _build(tmp_path, canary, net, token):
    root = P.evidence_root(tmp_path / "evidence")
    tasks = P.tasks_dir(root)
    bad = {}                                               # task path -> why it is bad

    def bad_file(name, data, why):
        P.write(tasks / "Bad" / name, data)
        bad["\\Bad\\" + name] = why

    for name in ("xxe_file", "xxe_network", "billion_laughs", "external_dtd_file", "parameter_entity",
                 "parameter_entity_oob"):
        text = P.template(name, canary, net)
        bad_file(name, text, "unsafe")
        bad_file(name + "-late-utf16", codecs.BOM_UTF16_LE + P.late_doctype(text).encode("utf-16-le"), "unsafe")
        bad_file(name + "-utf32", text.encode("utf-32"), "utf-32")
    bad_file("quadratic", P.quadratic_blowup(), "unsafe")
    bad_file("deep", ("<Task>" + "<a>" * 100000 + "</a>" * 100000 + "</Task>").encode(), "depth")
    bad_file("truncated", P.task_xml()[:300], "truncated")
    bad_file("nul", P.task_xml().replace("cmd.exe", "cmd\x00.exe"), "nul")
    bad_file("invalid-utf8", P.task_xml().encode("utf-8").replace(b"cmd", b"\xff\xfe"), "encoding")
    bad_file("too-big", b"\xff\xfe" + b"<\x00" * (3 * P.MB), "size")
    # templating bait in every field an attacker controls; '/' is not allowed in file names,
    # so the name uses a relative path (the playbook runs with cwd = tmp_path)
    touch = "{{ lookup('pipe','touch %s') }}"
    name_bait = touch % ("pwned-name-" + token)
    P.write(tasks / name_bait, P.task_xml(
        command=touch % ("/tmp/pwned-cmd-" + token), arguments="{% set x = lookup('pipe','touch /tmp/pwned-args-"
        + token + "') %}", description=P.hostile_strings()["html_script"], uri="\\" + touch % ("/tmp/pwned-uri-" + token)))
    os.symlink(canary.file, tasks / "LinkOut")
    os.symlink(canary.fifo, tasks / "LinkOutFifo")
    P.mkfifo(tasks / "Fifo")
    P.mkfifo(root / "TaskCache.reg")
    # events: a registration of a templating-bait task (seen only in events) and hostile TaskContent
    events = [P.security_event(10, 4698, "\\" + touch % ("/tmp/pwned-event-" + token), P.task_xml()),
              P.security_event(11, 4699, "\\" + touch % ("/tmp/pwned-event-" + token), None),
              P.security_event(12, 4698, "\\XxeInEvent", P.template("xxe_file", canary, net))]
    P.write(root / "events" / "security.xml", "".join(events).encode("utf-8"))
    doctype = P.template("external_dtd_file", canary, net).split("<Task")[0]
    P.write(root / "events" / "doctype.xml", (doctype + "<Event>&fromdtd;</Event>").encode("utf-8"))
    P.write_big(root / "Windows" / "System32" / "winevt" / "Logs" / "Security.evtx", 200_000, head=b"ElfFile\x00",
                filler=b"\x13\x37")
    return root, bad, name_bait


@pytest.mark.hang_seconds(600)   # a safety net against a hang, not a speed bound
def test_drift_playbook_on_hostile_evidence(tmp_path, canary, net_canary):
    token = uuid.uuid4().hex
    root, bad, name_bait = _build(tmp_path, canary, net_canary, token)
    inventory_dir = tmp_path / "task_inventory"
    inventory_dir.mkdir()
    (inventory_dir / "vendor.yml").write_text(
        "owner: {name: \"{{ lookup('pipe','touch /tmp/pwned-inv-%s') }}\"}\ntasks:\n"
        "  - path: !!python/object/apply:os.system ['touch /tmp/pwned-tag-%s']\n" % (token, token), encoding="utf-8")
    # next to a usable file: one hostile vendor file must not stop the audit (an
    # inventory without one usable entry stops the preflight instead, issue 17)
    with open(os.path.join(REPO, "inventories", "demo", "task_inventory", "baseline-demo.yml"), "rb") as src:
        (inventory_dir / "baseline-demo.yml").write_bytes(src.read())
    hosts = tmp_path / "hosts.yml"
    hosts.write_text(
        "windows:\n  hosts:\n    hostile01:\n      ansible_connection: local\n"
        "      taskguard_offline_root: \"%s\"\n      taskguard_task_inventory_dir: [\"%s\"]\n" % (root, inventory_dir),
        encoding="utf-8")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "collections"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_NOCOLOR="1")
    reports = tmp_path / "reports"
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", str(hosts), PLAYBOOK, "-e", "taskguard_report_dir=%s" % reports,
                           "-e", "taskguard_state_dir=%s" % (tmp_path / "state")],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=540, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    # nothing was templated or evaluated, anywhere
    leftovers = [p for p in os.listdir("/tmp") if token in p] + [p for p in os.listdir(tmp_path) if token in p]
    assert leftovers == []
    files = {fmt: (reports / name).read_bytes() for fmt, name in FILES.items()}
    checked = check_all(files)
    for data in list(files.values()) + [proc.stdout.encode(), proc.stderr.encode()]:
        canary.assert_not_in(data)                         # no local file content leaked
        assert b"lollollol" not in data and b"A" * 1000 not in data   # nothing expanded
        assert b"uid=" not in data

    doc = checked["json"]
    host = doc["hosts"]["hostile01"]
    assert host["status"] == "partial"
    findings = host["findings"]
    unparseable = {f["task"] for f in findings if f["kind"] == "unparseable"}
    assert set(bad) <= unparseable, sorted(set(bad) - unparseable)         # every bad file is reported
    gaps = P.all_text([f for f in findings if f["kind"] == "coverage_gap"])
    for refused in ("LinkOut", "LinkOutFifo", "Fifo", "TaskCache.reg"):
        assert refused in gaps, refused
    assert any(f["kind"] == "coverage_gap" and f["title"].startswith("Security:") and "evtx_unreadable" in f["title"]
               for f in findings)                                        # the garbage Security.evtx
    assert any(f["kind"] == "coverage_gap" and "inventory" in f["title"] for f in findings)
    # the bait is reported as data, literally
    tasks = {f["task"] for f in findings}
    assert "\\" + name_bait in tasks
    assert "\\{{ lookup('pipe','touch /tmp/pwned-event-%s') }}" % token in tasks      # transient, events only
    xxe_event = [f for f in findings if f["task"] == "\\XxeInEvent"]
    assert xxe_event and all(f["kind"] in ("unparseable", "transient", "undocumented") for f in xxe_event)
    html_text = checked["html"]
    assert name_bait in html_text and "&lt;script&gt;" in files["html"].decode()
