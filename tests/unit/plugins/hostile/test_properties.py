# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests of the normalizer and the comparison (issue 9).

* The fingerprint of a task definition does not change with the encoding
  (UTF-8/UTF-16 LE/BE, BOM or not), whitespace/indentation/line endings, the
  order of the top-level sections, the order of triggers, or the registration
  date/author/description, and it does change when the principal or an action does.
* An inventory learned from a collection (propose_entry for every task, written,
  validated and loaded again) yields no drift for that same collection.
"""
from __future__ import annotations

import codecs
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xml.sax.saxutils import escape

from ansible_collections.taskguard.windows.plugins.plugin_utils import audit_support
from audit_call import audit_host, reviewed
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_loader import format_problem, load_inventory
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_propose import (
    build_document, dump_document, merge_proposals,
)
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_collection import collect_offline_tasks
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import parse_task_definition

from . import payloads as P

TODAY = "2026-11-25"
HOST = {"name": "learned01", "groups": ["windows"], "os_family": "windows_server_2022",
        "domain_role": "member_server"}

# Values a task can hold: printable text without XML-illegal characters, some hostile.
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
                min_size=1, max_size=40).map(str.strip).filter(bool)
_COMMAND = st.one_of(st.sampled_from(["C:\\Windows\\System32\\cmd.exe", "%windir%\\system32\\rundll32.exe",
                                      "C:\\Program Files\\Vendor\\agent.exe", "powershell.exe"]), _TEXT)
_TRIGGERS = ["BootTrigger", "LogonTrigger", "TimeTrigger", "IdleTrigger", "RegistrationTrigger"]
_SPEC = st.fixed_dictionaries({
    "user": st.sampled_from(["S-1-5-18", "S-1-5-19", "CONTOSO\\svc_backup", "BUILTIN\\Users"]),
    "run_level": st.sampled_from(["HighestAvailable", "LeastPrivilege"]),
    "actions": st.lists(st.tuples(_COMMAND, st.one_of(st.none(), _TEXT)), min_size=1, max_size=3),
    "triggers": st.lists(st.tuples(st.sampled_from(_TRIGGERS), st.booleans()), max_size=4),
    "hidden": st.booleans(),
    "enabled": st.booleans(),
})


def render(spec, *, order=None, trigger_order=None, pretty=True, crlf=True, date="2020-01-01T00:00:00",
           author="vendor"):
    e = escape
    nl = "\r\n" if crlf else "\n"
    ind = (lambda n: nl + "  " * n) if pretty else (lambda n: "")
    triggers = list(spec["triggers"])
    if trigger_order is not None:
        triggers = [triggers[i] for i in trigger_order]
    principals = '<Principals>%s<Principal id="Author">%s<UserId>%s</UserId>%s<RunLevel>%s</RunLevel>%s' % (
        ind(2), ind(3), e(spec["user"]), ind(3), spec["run_level"], ind(2)) + "</Principal>%s</Principals>" % ind(1)
    sections = {
        "RegistrationInfo": "<RegistrationInfo>%s<Date>%s</Date>%s<Author>%s</Author>%s</RegistrationInfo>"
                            % (ind(2), date, ind(2), e(author), ind(1)),
        "Triggers": "<Triggers>%s</Triggers>" % "".join(
            "%s<%s>%s<Enabled>%s</Enabled>%s</%s>" % (ind(2), t, ind(3), "true" if on else "false", ind(2), t)
            for t, on in triggers),
        "Principals": principals,
        "Settings": "<Settings>%s<Enabled>%s</Enabled>%s<Hidden>%s</Hidden>%s</Settings>"
                    % (ind(2), str(spec["enabled"]).lower(), ind(2), str(spec["hidden"]).lower(), ind(1)),
        "Actions": '<Actions Context="Author">%s</Actions>' % "".join(
            "%s<Exec>%s<Command>%s</Command>%s%s</Exec>" % (
                ind(2), ind(3), e(cmd), ("%s<Arguments>%s</Arguments>" % (ind(3), e(args))) if args else "", ind(2))
            for cmd, args in spec["actions"]),
    }
    names = order or list(sections)
    body = "".join(ind(1) + sections[n] for n in names)
    return '<?xml version="1.0" encoding="UTF-16"?>%s<Task version="1.2" xmlns="%s">%s%s</Task>%s' % (
        nl, P.TASK_NS, body, nl, nl)


def _encode(text, how):
    return {
        "utf-8": lambda: text.encode("utf-8"),
        "utf-8-bom": lambda: codecs.BOM_UTF8 + text.encode("utf-8"),
        "utf-16-le": lambda: text.encode("utf-16-le"),
        "utf-16-le-bom": lambda: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        "utf-16-be": lambda: text.encode("utf-16-be"),
        "utf-16-be-bom": lambda: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "str": lambda: text,
    }[how]()


ENCODINGS = ["utf-8", "utf-8-bom", "utf-16-le", "utf-16-le-bom", "utf-16-be", "utf-16-be-bom", "str"]


@settings(max_examples=60, deadline=None)
@given(spec=_SPEC, how=st.sampled_from(ENCODINGS), seed=st.integers(0, 2 ** 32 - 1),
       pretty=st.booleans(), crlf=st.booleans())
def test_fingerprint_is_stable_under_encoding_whitespace_and_order(spec, how, seed, pretty, crlf):
    base = parse_task_definition(render(spec), path="\\Vendor\\Job")
    rng = random.Random(seed)
    order = ["RegistrationInfo", "Triggers", "Principals", "Settings", "Actions"]
    rng.shuffle(order)
    trigger_order = list(range(len(spec["triggers"])))
    rng.shuffle(trigger_order)
    variant = render(spec, order=order, trigger_order=trigger_order, pretty=pretty, crlf=crlf,
                     date="2026-%02d-01T12:00:00" % rng.randint(1, 12), author="someone else")
    task = parse_task_definition(_encode(variant, how), path="\\Vendor\\Job")
    assert task["fingerprint"] == base["fingerprint"]
    assert task["actions"] == base["actions"] and task["principal"] == base["principal"]


@settings(max_examples=40, deadline=None)
@given(spec=_SPEC, change=st.sampled_from(["user", "run_level", "command", "add_action", "hidden"]))
def test_fingerprint_changes_with_security_relevant_fields(spec, change):
    changed = dict(spec, actions=list(spec["actions"]))
    if change == "user":
        changed["user"] = "S-1-5-21-9-9-9-500" if spec["user"] != "S-1-5-21-9-9-9-500" else "S-1-5-18"
    elif change == "run_level":
        changed["run_level"] = "LeastPrivilege" if spec["run_level"] == "HighestAvailable" else "HighestAvailable"
    elif change == "command":
        changed["actions"][0] = ("C:\\Users\\Public\\evil.exe", spec["actions"][0][1])
        if spec["actions"][0][0].lower() == "c:\\users\\public\\evil.exe":
            return
    elif change == "add_action":
        changed["actions"].append(("C:\\Users\\Public\\second.exe", None))
    else:
        changed["hidden"] = not spec["hidden"]
    a = parse_task_definition(render(spec), path="\\Vendor\\Job")["fingerprint"]
    b = parse_task_definition(render(changed), path="\\Vendor\\Job")["fingerprint"]
    assert a != b


_NAME = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F)
                | st.sampled_from(list(" -_.{}()[]'$%")), min_size=1, max_size=24).map(str.strip).filter(
    lambda s: s and s not in (".", ".."))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tasks=st.dictionaries(st.tuples(st.sampled_from(["", "Vendor", "Microsoft\\Windows\\Custom"]), _NAME),
                             _SPEC, min_size=1, max_size=6))
def test_inventory_learned_from_a_collection_yields_no_drift(tmp_path_factory, tasks):
    root = P.evidence_root(tmp_path_factory.mktemp("learn"))
    for (folder, name), spec in tasks.items():
        P.write(P.tasks_dir(root).joinpath(*[p for p in folder.split("\\") if p], name), render(spec))
    collected = collect_offline_tasks(str(root))
    assert collected["unparseable"] == []
    learned = [t for t in collected["tasks"] if t["fingerprint"]]
    assert 0 < len(learned) <= len(tasks)

    entries, problems = merge_proposals([(HOST, learned)], today=TODAY)
    assert problems == []
    entries = [reviewed(e) for e in entries]      # a person confirms what was learned
    path = tmp_path_factory.mktemp("inventory") / "learned.yml"
    path.write_text(dump_document(build_document(entries, owner_name="learned", contact="ops@example.invalid")),
                    encoding="utf-8")
    inventory = load_inventory([str(path)], today=TODAY)
    assert inventory.errors == [], [format_problem(p) for p in inventory.errors][:5]

    view = inventory.for_host(HOST)
    audit = audit_host(HOST["name"], collected, None, view, audit_support.load_rules([]), host=HOST)
    drift = [f for f in audit["findings"] if f["kind"] in ("undocumented", "modified", "missing", "expired")]
    assert drift == [], [(f["kind"], f["task"], f.get("diff")) for f in drift]


def test_learned_entries_for_glob_named_tasks_stay_literal(tmp_path):
    """A task named like a pattern ('*', '?', '[a-z]*', '**') must be learned as an exact
    path: otherwise planting it before a baseline run would allow-list a whole folder."""
    root = P.evidence_root(tmp_path / "evidence")
    for name in ("*", "?", "[a-z]*", "**", "{a,b}", "ansible-*"):
        P.write(P.tasks_dir(root) / "Vendor" / name, render({"user": "S-1-5-18", "run_level": "HighestAvailable",
                                                             "actions": [("C:\\Vendor\\a.exe", None)], "triggers": [],
                                                             "hidden": False, "enabled": True}))
    collected = collect_offline_tasks(str(root))
    entries, problems = merge_proposals([(HOST, collected["tasks"])], today=TODAY)
    assert problems == []
    path = tmp_path / "learned.yml"
    path.write_text(dump_document(build_document(entries, owner_name="learned", contact="x")), encoding="utf-8")
    inventory = load_inventory([str(path)], today=TODAY)
    assert inventory.errors == []
    view = inventory.for_host(HOST)
    assert view.match("\\Vendor\\*") is not None
    for other in ("\\Vendor\\Evil", "\\Vendor\\a", "\\Vendor\\Sub\\Evil", "\\Vendor\\ansible-evil"):
        assert view.match(other) is None, other


def test_learned_inventory_survives_yaml_special_names(tmp_path):
    """Names that are YAML syntax (anchors, aliases, tags, flow markers, comments,
    document markers, newlines, Jinja) are written quoted by the learning code and read
    back as the same literal paths: no YAML injection through a baseline."""
    names = ["&anchor", "*alias", "!!python/object:os.system".replace("/", "_"), "{a: b}", "[x]", "# comment",
             "key: value", "- item", "? q", "--- doc", "...", "%YAML 1.1", "@at", "`tick`", "|block", ">fold",
             "line\nbreak", "tab\there", "{{ lookup('pipe','id') }}", "'quote\"", "null", "~", "yes", "0x10", "1e3"]
    root = P.evidence_root(tmp_path / "evidence")
    spec = {"user": "S-1-5-18", "run_level": "HighestAvailable", "actions": [("C:\\Vendor\\a.exe", None)],
            "triggers": [], "hidden": False, "enabled": True}
    for name in names:
        P.write(P.tasks_dir(root) / "Vendor" / name, render(spec))
    collected = collect_offline_tasks(str(root))
    assert len(collected["tasks"]) == len(names)
    entries, problems = merge_proposals([(HOST, collected["tasks"])], today=TODAY)
    assert problems == []
    path = tmp_path / "learned.yml"
    path.write_text(dump_document(build_document(entries, owner_name="learned", contact="x")), encoding="utf-8")
    inventory = load_inventory([str(path)], today=TODAY)
    assert inventory.errors == [], [format_problem(p) for p in inventory.errors][:5]
    view = inventory.for_host(HOST)
    for task in collected["tasks"]:
        entry = view.match(task["path"])
        assert entry is not None and entry.compare(task) == [], task["path"]
    assert view.match("\\Vendor\\anchor") is None and view.match("\\Vendor\\value") is None
