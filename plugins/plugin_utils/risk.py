# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Risk rules as data: load, validate, compile once, evaluate normalized tasks.

Rule files (``risk_rules/*.yml``, format in docs/drift.md) declare, per rule, an
id, title, description, severity, category, MITRE ids, references and a
declarative ``match`` tree (``all``/``any``/``not`` of ``{field, op, values}``).
Everything is compiled into closures once (``load_rules``); evaluating a task is
then a handful of set lookups and pre-built regexes, so scoring stays linear in
the number of tasks.

Severity of a task = the highest severity of its matched rules, raised one step
(up to ``critical``) for every escalation (``escalations:`` in the rule files)
whose groups are all satisfied by matched rules (see docs/drift.md).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import os
import re
import unicodedata

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import TaskGuardInputError
from ansible_collections.taskguard.windows.plugins.plugin_utils.inventory_yaml import load_yaml_file
# Re-exported for older imports; new code imports severity.py directly.
from ansible_collections.taskguard.windows.plugins.plugin_utils.severity import (  # noqa: F401 pylint: disable=unused-import
    SEVERITIES, SEVERITY_RANK, max_severity, severity_at_least,
)
OPERATORS = ("contains", "startswith", "endswith", "equals", "in", "regex")
MAX_RULE_FILE_BYTES = 1024 * 1024
# Field values longer than this are cut before matching: bounds the time any
# (user-written) regex can spend on attacker-controlled text.
MAX_MATCH_CHARS = 8192
DEFAULT_RULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "risk_rules")

_SYSTEM_ACCOUNTS = frozenset(("s-1-5-18", "system", "nt authority\\system", "localsystem"))
_ENV_VARS = (
    ("%systemroot%", "c:\\windows"), ("%windir%", "c:\\windows"),
    ("%programdata%", "c:\\programdata"), ("%allusersprofile%", "c:\\programdata"),
    ("%public%", "c:\\users\\public"), ("%systemdrive%", "c:"),
    ("%localappdata%", "c:\\users\\%username%\\appdata\\local"),
    ("%appdata%", "c:\\users\\%username%\\appdata\\roaming"),
    ("%temp%", "c:\\users\\%username%\\appdata\\local\\temp"),
    ("%tmp%", "c:\\users\\%username%\\appdata\\local\\temp"),
    ("%userprofile%", "c:\\users\\%username%"),
    ("%programfiles%", "c:\\program files"), ("%programfiles(x86)%", "c:\\program files (x86)"),
)
# Also soft hyphen, combining grapheme joiner, fillers, variation selectors and tag
# characters: "power<U+00AD>shell" dodged the keyword rules and TG-R020 (issue 9).
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff"
                        "\u00ad\u034f\u0600-\u0605\u06dd\u070f\u08e2\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]")


class RiskRuleError(TaskGuardInputError):
    """A risk rule file is unreadable or invalid: ``file:line:column: rule X: message``."""


class _Place(object):
    """Where a value of a rule file is: its key path in the file (for the line
    and column, from inventory_yaml's positions) and how a message names it
    (``rule TG-R001: match.all[0]``). Without a document: the file name only."""

    __slots__ = ("path", "doc", "keys", "label")

    def __init__(self, path, doc=None, keys=(), label=""):
        self.path, self.doc, self.keys, self.label = path, doc, keys, label

    def child(self, key, suffix=""):
        """The value under ``key``; ``suffix`` extends the label (``.all``, ``[0]``)."""
        return _Place(self.path, self.doc, self.keys + (key,), self.label + suffix)

    def named(self, label):
        return _Place(self.path, self.doc, self.keys, label)

    def error(self, message):
        where = self.path
        if self.doc is not None:
            where = "%s:%d:%d" % ((self.path,) + tuple(self.doc.position(self.keys)))
        return RiskRuleError("%s: %s%s" % (where, self.label + ": " if self.label else "", message))


# --------------------------------------------------------------------------- text
def _strip_invisible(text):
    # Drops Unicode format characters (bidi overrides, zero-width) so they can
    # not split a keyword and dodge a rule; TG-R020 reports their presence.
    if _INVISIBLE.search(text) is None:
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc"))


def normalize_text(value):
    text = _strip_invisible(str(value)[:MAX_MATCH_CHARS]).lower()
    return text


def _expand(text):
    if "%" in text:
        for var, repl in _ENV_VARS:
            if var in text:
                text = text.replace(var, repl)
    return text


def normalize_arg_text(value):
    """Arguments: lower-cased, env vars expanded; slashes kept (/c, /k are switches)."""
    return _expand(normalize_text(value))


def normalize_path_text(value):
    """Paths: also / -> \\, quotes dropped, \\?\\ prefix dropped."""
    text = _expand(normalize_text(value).replace("/", "\\").replace('"', "").strip())
    if text.startswith("\\\\?\\"):
        text = text[4:]
    return text


def _basename(command):
    text = normalize_path_text(command)
    return text.rsplit("\\", 1)[-1].strip()


def _norm_task_path(value):
    if not value:
        return ""
    return normalize_text(value).replace("/", "\\").lstrip("\\")


# ------------------------------------------------------------------- task fields
def _actions(task):
    return [a for a in (task.get("actions") or []) if isinstance(a, dict)]


def _triggers(task):
    return [t for t in (task.get("triggers") or []) if isinstance(t, dict)]


def _principal(task):
    principal = task.get("principal")
    return principal if isinstance(principal, dict) else {}


def _strs(values):
    return [v for v in values if v is not None and v != ""]


def _uri_mismatch(task):
    uri = task.get("uri")
    if not uri:
        return False
    return _norm_task_path(uri) != _norm_task_path(task.get("path"))


def _has_invisible(task):
    texts = [task.get("path") or "", task.get("uri") or ""]
    for action in _actions(task):
        texts.extend((action.get("command") or "", action.get("arguments") or "", action.get("working_directory") or ""))
    return any(_INVISIBLE.search(str(t)) is not None for t in texts)


# What a task of Windows itself looks like (``task.windows_component``), judged
# from the evidence in the definition, not from a list of names (a built-in of a
# build or role without a baseline must not look like an attack for running
# rundll32 or a System32 script as SYSTEM at boot; issue 16):
#
# * the task lives in a \Microsoft\Windows\ folder (or \Microsoft\XblGameSave\, below);
# * every action is a COM handler, or runs a program of Windows: a file under
#   C:\Windows outside the folders a standard user can write to, a bare program
#   name (resolved in System32), or a program of Windows Defender / Media Player;
# * a script host or proxy that Windows' own tasks use (cmd, cscript, wscript,
#   rundll32, powershell) qualifies only in the one shape Windows uses: its
#   payload is a script or DLL of Windows itself (``cmd /d /c
#   %systemroot%\system32\silcollector.cmd publish``, ``cscript /B /nologo
#   %systemroot%\system32\calluxxprovider.vbs $(Arg0)``, ``rundll32
#   pla.dll,PlaHost "..."``) followed by plain words; inline commands, chains,
#   redirections or a payload anywhere else do not qualify;
# * proxies no Windows task uses (mshta, regsvr32, wmic, certutil, ...) never do;
# * no argument or working directory points outside C:\Windows (URL, UNC path,
#   another drive or folder, encoded or downloaded code).
#
# Masquerade with Windows' own files is what the baselines (TG-R022, TG-D001)
# are for; a task that fails any point above is judged by every rule.
_WINDOWS_DIR = "c:\\windows\\"
# \Microsoft\XblGameSave\ is a folder of Windows' own outside \Microsoft\Windows\:
# Microsoft's guidance on disabling system services lists its tasks on Windows
# Server 2016 with Desktop Experience (XblGameSaveTask, XblGameSaveTaskLogon).
_WINDOWS_TASK_FOLDERS = ("microsoft\\windows\\", "microsoft\\xblgamesave\\")
# Folders under C:\Windows that a standard user can write to (or create files
# in): a program or script there is not Windows'.
_USER_WRITABLE_WINDOWS = re.compile(
    r"\Ac:\\windows\\(?:temp|tasks|tracing|debug|registration\\crmlog|servicing\\(?:packages|sessions)"
    r"|system32\\(?:tasks|tasks_migrated|spool\\(?:drivers\\color|printers|servers)|com\\dmp|fxstmp"
    r"|microsoft\\crypto\\rsa\\machinekeys|logfiles|wdi|wbem\\(?:tmp|logs))"
    r"|syswow64\\(?:tasks|com\\dmp|fxstmp|wbem\\(?:tmp|logs))|pla|serviceprofiles|logs|prefetch)(?:\\|\Z)")
_OTHER_WINDOWS_PROGRAM = re.compile(
    r"\A(?:c:\\program files(?: \(x86\))?\\(?:windows defender(?: advanced threat protection)?|windows media player)"
    r"\\[^\\]+"
    r"|c:\\programdata\\microsoft\\windows defender\\platform\\[0-9][0-9.-]*\\[^\\]+)\Z")
_BARE_PROGRAM = re.compile(r"\A[a-z0-9_.-]+\.exe\Z")
_FOREIGN_ARGUMENT = re.compile(
    r"https?:|ftp:|\\\\|javascript:|vbscript:|mshtml|\\(?:users|temp|tmp|programdata|appdata|perflogs)\\"
    r"|\.(?:ps1|psm1|vbs|vbe|js|jse|hta|bat|cmd|wsf|wsh|sct|scr|lnk)\b|(?:^|\s)[-/]e(?:nc|ncodedcommand)?\s+\S{16}"
    r"|frombase64|iex\b|invoke-expression|downloadstring|downloadfile|(?:^|[\s\"'=,])[a-z]:\\(?!windows(?:\\|\s|$))")
# Plain words after a payload: switches, $(ArgN), names, paths (judged by
# _FOREIGN_ARGUMENT and _PROGRAM_IN_WORDS); or a quoted phrase of them. No shell
# operator (& | < > ^), no variable left to expand (%), no quote inside a word.
_PLAIN_WORDS = r"(?:\s+(?:[a-z0-9_$().:=,{}#@/\\+-]+|\"[a-z0-9_$().:=,{}#@/\\+ -]*\"))*\s*"
_SCRIPT_HOSTS = {
    # basename: the whole argument line, with the payload in group "payload"
    "cmd.exe": re.compile(r"\A(?:/(?![ck]\b)[a-z](?::\w+)?\s+)*/[ck]\s+(?P<payload>\"[^\"]+\"|\S+)" + _PLAIN_WORDS
                          + r"\Z"),
    "cscript.exe": re.compile(r"\A(?:/{1,2}[a-z]+(?::\w+)?\s+)*(?P<payload>\"[^\"]+\"|\S+)" + _PLAIN_WORDS + r"\Z"),
    "rundll32.exe": re.compile(r"\A(?:/d\s+)?(?P<payload>\"[^\"]+\"|[^\s,\"]+),\s*(?P<entry>[a-z0-9_#@]+)"
                               + _PLAIN_WORDS + r"\Z"),
    "powershell.exe": re.compile(r"\A(?:-(?:noprofile|nologo|noninteractive|executionpolicy\s+(?:restricted|allsigned"
                                 r"|remotesigned))\s+)*-f(?:ile)?\s+(?P<payload>\"[^\"]+\"|\S+)" + _PLAIN_WORDS + r"\Z"),
}
# After the payload no other program may be named, and rundll32 must not call an
# entry point that proxies to something else (LOLBAS: shell32 ShellExec_RunDLL,
# url.dll OpenURL, advpack LaunchINFSection, comsvcs MiniDump, ...).
_PROGRAM_IN_WORDS = re.compile(r"\.(?:exe|com|dll|cpl|ocx|scr|msi|sys|inf|hta|sct|url)\b")
_PROXY_ENTRY_POINTS = re.compile(
    r"\A(?:shellexec_rundll|openurl[a-z]*|fileprotocolhandler|launchinfsection[a-z]*|registerocx|runhtmlapplication"
    r"|control_rundll|dllregisterserver|dllunregisterserver|dllinstall|minidump|#24|installhinfsection[a-z]*"
    r"|setupinfobjectinstallaction|printuientry|openas_rundll|imageview_fullscreen|routethecall|zxfunction)\Z")
_SCRIPT_HOSTS["wscript.exe"] = _SCRIPT_HOSTS["cscript.exe"]
_SCRIPT_HOSTS["pwsh.exe"] = _SCRIPT_HOSTS["powershell.exe"]
_PAYLOAD_TYPES = {"cmd.exe": (".cmd", ".bat"), "cscript.exe": (".vbs", ".js", ".wsf", ".vbe", ".jse"),
                  "wscript.exe": (".vbs", ".js", ".wsf", ".vbe", ".jse"), "rundll32.exe": (".dll",),
                  "powershell.exe": (".ps1",), "pwsh.exe": (".ps1",)}
# Proxies of arbitrary code that no Windows task runs (LOLBAS): never a component.
_NEVER_WINDOWS_TASK = frozenset((
    "mshta.exe", "regsvr32.exe", "wmic.exe", "certutil.exe", "bitsadmin.exe", "msbuild.exe", "installutil.exe",
    "regasm.exe", "regsvcs.exe", "odbcconf.exe", "forfiles.exe", "pcalua.exe", "hh.exe", "cmstp.exe", "curl.exe",
    "ftp.exe", "finger.exe", "scriptrunner.exe", "syncappvpublishingserver.exe", "wsl.exe", "bash.exe",
    "powershell_ise.exe", "msxsl.exe", "ieexec.exe", "presentationhost.exe", "control.exe", "mavinject.exe",
    "conhost.exe",
))


# Characters no path of Windows' own contains: shell operators, quotes, wildcards,
# an unexpanded variable, a UNC or doubled separator.
_NOT_IN_A_WINDOWS_PATH = re.compile(r"[&|<>^\"*?%\t\r\n]|\\\\")
# The last part of a program path: a file name with an extension Windows runs, no
# argument glued to it (``cmd.exe /c x`` written into Command).
_PROGRAM_FILE = re.compile(r"\A[^\s\\]+(?: [^\s\\]+)*\.(?:exe|com|vbs|js|wsf|cmd|bat)\Z")
_ARGUMENTS_IN_COMMAND = re.compile(r"\.(?:exe|com|vbs|cmd|bat)[\s\\]")


def windows_file(path):
    """True for a file of Windows itself: under C:\\Windows, outside the folders a
    standard user can write to, no ``..``, no stream name, no shell operator."""
    if not path.startswith(_WINDOWS_DIR) or len(path) <= len(_WINDOWS_DIR):
        return False
    rest = path[len(_WINDOWS_DIR):]
    if ":" in rest or "\\.\\" in "\\" + rest + "\\" or "\\..\\" in "\\" + rest + "\\" or rest.endswith("\\"):
        return False
    return _NOT_IN_A_WINDOWS_PATH.search(rest) is None and _USER_WRITABLE_WINDOWS.match(path) is None


def _windows_program(command):
    if not _PROGRAM_FILE.match(command.rsplit("\\", 1)[-1]) or _ARGUMENTS_IN_COMMAND.search(command):
        return False
    return windows_file(command) or bool(_BARE_PROGRAM.match(command) or _OTHER_WINDOWS_PROGRAM.match(command))


def _script_host_shape(host, arguments):
    """True when a script host runs a script / DLL of Windows followed by plain words."""
    match = _SCRIPT_HOSTS[host].match(arguments.strip())
    if match is None:
        return False
    payload = normalize_path_text(match.group("payload"))
    if not payload.endswith(_PAYLOAD_TYPES[host]):
        return False
    if host == "rundll32.exe" and re.match(r"\A[a-z0-9_.-]+\.dll\Z", payload):
        payload = _WINDOWS_DIR + "system32\\" + payload       # a bare DLL name loads from System32
    if host == "rundll32.exe" and _PROXY_ENTRY_POINTS.match(match.group("entry")):
        return False
    rest = arguments[match.end("payload"):]
    if host == "rundll32.exe":
        rest = arguments[match.end("entry"):]
    return windows_file(payload) and not (_FOREIGN_ARGUMENT.search(rest) or _PROGRAM_IN_WORDS.search(rest))


def _windows_action(action):
    kind = normalize_text(action.get("type") or "")
    if kind == "com_handler":
        return True
    if kind != "exec":
        return False
    command = normalize_path_text(action.get("command") or "")
    if not _windows_program(command):
        return False
    host = command.rsplit("\\", 1)[-1]
    host = host if host.endswith(".exe") else host + ".exe"
    working = normalize_path_text(action.get("working_directory") or "").rstrip("\\")
    if working and working != _WINDOWS_DIR[:-1] and (_FOREIGN_ARGUMENT.search(working) or not windows_file(working)):
        return False
    arguments = normalize_arg_text(action.get("arguments") or "")
    if host in _NEVER_WINDOWS_TASK:
        return False
    if host in _SCRIPT_HOSTS:
        return _script_host_shape(host, arguments) if arguments.strip() else host != "cmd.exe"
    return not (arguments and _FOREIGN_ARGUMENT.search(arguments))


def windows_component(task):
    """True when the task looks like one of Windows' own (see above)."""
    if not _norm_task_path(task.get("path")).startswith(_WINDOWS_TASK_FOLDERS):
        return False
    actions = _actions(task)
    return bool(actions) and all(_windows_action(action) for action in actions)


def _commandline(action):
    command = normalize_path_text(action.get("command") or "")
    arguments = normalize_arg_text(action.get("arguments") or "")
    return (command + " " + arguments).strip()


FIELDS = {
    # task.*
    "task.path": lambda t, c: _strs([normalize_text(t.get("path") or "").replace("/", "\\")]),
    "task.name": lambda t, c: _strs([normalize_text(t.get("name") or "")]),
    "task.folder": lambda t, c: _strs([normalize_text(t.get("folder") or "")]),
    "task.uri": lambda t, c: _strs([normalize_text(t.get("uri") or "")]),
    "task.author": lambda t, c: _strs([normalize_text(t.get("author") or "")]),
    "task.hidden": lambda t, c: [bool(t.get("hidden"))],
    "task.enabled": lambda t, c: [t.get("enabled") is not False],
    "task.is_at_job": lambda t, c: [bool(t.get("is_at_job"))],
    "task.hidden_reasons": lambda t, c: [normalize_text(r) for r in (t.get("hidden_reasons") or [])],
    "task.uri_mismatch": lambda t, c: [_uri_mismatch(t)],
    "task.has_invisible_chars": lambda t, c: [_has_invisible(t)],
    "task.documented": lambda t, c: [bool(c.get("documented"))],
    "task.seen_in": lambda t, c: [normalize_text(s) for s in (t.get("seen_in") or [])],
    "task.windows_component": lambda t, c: [windows_component(t)],
    # principal.*
    "principal.user_id": lambda t, c: _strs([normalize_text(_principal(t).get("user_id") or "")]),
    "principal.group_id": lambda t, c: _strs([normalize_text(_principal(t).get("group_id") or "")]),
    "principal.account": lambda t, c: _strs([normalize_text(_principal(t).get("user_id") or ""),
                                             normalize_text(_principal(t).get("group_id") or "")]),
    "principal.logon_type": lambda t, c: _strs([normalize_text(_principal(t).get("logon_type") or "")]),
    "principal.run_level": lambda t, c: _strs([normalize_text(_principal(t).get("run_level") or "")]),
    # action.* (any action)
    "action.type": lambda t, c: _strs([normalize_text(a.get("type") or "") for a in _actions(t)]),
    "action.command": lambda t, c: _strs([normalize_path_text(a.get("command") or "") for a in _actions(t)]),
    "action.command_basename": lambda t, c: _strs([_basename(a.get("command") or "") for a in _actions(t)]),
    "action.arguments": lambda t, c: _strs([normalize_arg_text(a.get("arguments") or "") for a in _actions(t)]),
    "action.working_directory": lambda t, c: _strs([normalize_path_text(a.get("working_directory") or "") for a in _actions(t)]),
    "action.commandline": lambda t, c: _strs([_commandline(a) for a in _actions(t)]),
    "action.all_paths": lambda t, c: _strs([normalize_path_text(" ".join(_strs((a.get("command"), a.get("arguments"), a.get("working_directory")))))
                                            for a in _actions(t)]),
    "action.class_id": lambda t, c: _strs([normalize_text(a.get("class_id") or "") for a in _actions(t)]),
    # per Exec action: does it run a program of Windows (C:\Windows outside its user-writable
    # folders, a bare name, Defender / Media Player), judged as task.windows_component does
    "action.windows_program": lambda t, c: [_windows_program(normalize_path_text(a.get("command") or ""))
                                            for a in _actions(t) if normalize_text(a.get("type") or "") == "exec"],
    "action.data": lambda t, c: _strs([normalize_text(a.get("data") or "") for a in _actions(t)]),
    # trigger.* (any trigger)
    "trigger.type": lambda t, c: _strs([normalize_text(tr.get("type") or "") for tr in _triggers(t)]),
    "trigger.repetition_interval": lambda t, c: _strs([normalize_text(tr.get("repetition_interval") or "") for tr in _triggers(t)]),
    "trigger.user_id": lambda t, c: _strs([normalize_text(tr.get("user_id") or "") for tr in _triggers(t)]),
    "trigger.subscription": lambda t, c: _strs([normalize_text(tr.get("subscription") or "") for tr in _triggers(t)]),
}


def is_system_principal(task):
    principal = _principal(task)
    return normalize_text(principal.get("user_id") or "") in _SYSTEM_ACCOUNTS


class _FieldCache(object):
    """Computes each field of one task at most once per evaluation."""

    __slots__ = ("task", "context", "values")

    def __init__(self, task, context):
        self.task = task
        self.context = context
        self.values = {}

    def get(self, field):
        try:
            return self.values[field]
        except KeyError:
            value = FIELDS[field](self.task, self.context)
            self.values[field] = value
            return value


# ---------------------------------------------------------------- compilation
def _compile_condition(node, where):
    """A closure ``fc -> bool`` for one condition; ``where`` is its ``_Place``."""
    if not isinstance(node, dict) or not node:
        raise where.error("a condition must be a mapping with all/any/not or field/op/values")
    keys = set(node)
    if keys & {"all", "any", "not"}:
        return _compile_combination(node, keys, where)
    unknown = keys - {"field", "op", "values"}
    if unknown:
        raise where.error("unknown key(s) %s" % sorted(unknown))
    field, op, values = node.get("field"), node.get("op"), node.get("values")
    if field not in FIELDS:
        raise where.child("field").error("unknown field %r (known: %s)" % (field, ", ".join(sorted(FIELDS))))
    if op not in OPERATORS:
        raise where.child("op").error("unknown op %r (known: %s)" % (op, ", ".join(OPERATORS)))
    where = where.child("values")
    if not isinstance(values, list) or not values:
        raise where.error("values must be a non-empty list")
    if any(isinstance(v, bool) for v in values):
        return _compile_boolean_test(field, op, values, where)
    return _compile_text_test(field, op, values, where)


def _compile_combination(node, keys, where):
    """``all`` / ``any`` / ``not`` of nested conditions."""
    if len(keys) != 1:
        raise where.error("all/any/not must be the only key of its mapping (got %s)" % sorted(keys))
    key = next(iter(keys))
    if key == "not":
        inner = _compile_condition(node["not"], where.child("not", ".not"))
        return lambda fc: not inner(fc)
    items, where = node[key], where.child(key, "." + key)
    if not isinstance(items, list) or not items:
        raise where.error("must be a non-empty list of conditions")
    compiled = [_compile_condition(item, where.child(i, "[%d]" % i)) for i, item in enumerate(items)]
    if key == "all":
        return lambda fc: all(c(fc) for c in compiled)
    return lambda fc: any(c(fc) for c in compiled)


def _compile_boolean_test(field, op, values, where):
    if not all(isinstance(v, bool) for v in values) or op not in ("equals", "in"):
        raise where.error("boolean values only work with op equals/in and cannot be mixed with strings")
    wanted = frozenset(values)
    return lambda fc: any(v in wanted for v in fc.get(field) if isinstance(v, bool))


def _compile_text_test(field, op, values, where):
    """One ``{field, op, values}`` test on text values (pre-built sets, tuples, one regex)."""
    for index, value in enumerate(values):
        if not isinstance(value, (str, int, float)):
            raise where.child(index).error("values must be strings (got %r)" % type(value).__name__)
    texts = [str(v).lower() for v in values]
    if op in ("equals", "in"):
        wanted = frozenset(texts)
        return lambda fc: any(isinstance(v, str) and v in wanted for v in fc.get(field))
    if op == "startswith":
        prefixes = tuple(texts)
        return lambda fc: any(isinstance(v, str) and v.startswith(prefixes) for v in fc.get(field))
    if op == "endswith":
        suffixes = tuple(texts)
        return lambda fc: any(isinstance(v, str) and v.endswith(suffixes) for v in fc.get(field))
    if op == "contains":
        # One alternation instead of N substring scans.
        pattern = re.compile("|".join(re.escape(t) for t in texts))
    else:
        try:
            pattern = re.compile("|".join("(?:%s)" % t for t in texts), re.IGNORECASE)
        except re.error as exc:
            raise where.error("invalid regex: %s" % exc)
    search = pattern.search
    return lambda fc: any(isinstance(v, str) and search(v) is not None for v in fc.get(field))


def _i18n(data, where):
    """``i18n: {ja: {title, description}}``: translations a report shows in that language (docs/reports.md)."""
    value = data.get("i18n")
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(lang, str) and isinstance(texts, dict) and set(texts) <= {"title", "description"}
            and all(isinstance(t, str) for t in texts.values()) for lang, texts in value.items()):
        raise where.child("i18n").error("i18n must map a language to {title, description} strings")
    return {lang: dict(texts) for lang, texts in value.items()}


class Rule(object):
    __slots__ = ("id", "title", "description", "severity", "rank", "category", "mitre", "references", "source",
                 "i18n", "_match")

    def __init__(self, data, source, place=None):
        """``place``: the rule's ``_Place`` in its file (errors then carry line and column)."""
        self.id = data["id"]
        self.title = data["title"]
        self.description = data.get("description") or ""
        self.severity = data["severity"]
        self.rank = SEVERITY_RANK[self.severity]
        self.category = data.get("category") or "other"
        self.mitre = list(data.get("mitre") or [])
        self.references = [dict(r) for r in (data.get("references") or [])]
        self.source = source
        self.i18n = _i18n(data, (place or _Place(source)).named("rule %s" % self.id))
        self._match = _compile_condition(data["match"], (place or _Place(source)).named("rule %s: match" % self.id).child("match"))

    def reason(self):
        reason = {"rule": self.id, "title": self.title, "severity": self.severity,
                  "category": self.category, "mitre": list(self.mitre),
                  "references": [dict(r) for r in self.references]}
        if self.description:
            reason["description"] = self.description
        if self.i18n:   # the reports show these in their language
            reason["i18n"] = {lang: dict(texts) for lang, texts in self.i18n.items()}
        return reason


class Escalation(object):
    __slots__ = ("id", "title", "description", "groups", "i18n")

    def __init__(self, data, source, place=None):
        """``place``: the escalation's ``_Place`` in its file (errors then carry line and column)."""
        self.id = data["id"]
        self.title = data["title"]
        self.description = data.get("description") or ""
        self.i18n = _i18n(data, (place or _Place(source)).named("escalation %s" % self.id))
        where = (place or _Place(source)).named("escalation %s" % self.id).child("require")
        groups = data.get("require")
        if not isinstance(groups, list) or not groups:
            raise where.error("require must be a non-empty list")
        self.groups = []
        for i, group in enumerate(groups):
            if not isinstance(group, dict) or not isinstance(group.get("categories"), list) or not group["categories"]:
                raise where.child(i).error("require[%d] needs a non-empty categories list" % i)
            minimum = group.get("min_severity", "low")
            if minimum not in SEVERITY_RANK:
                raise where.child(i).child("min_severity").error(
                    "require[%d].min_severity %r is not one of %s" % (i, minimum, ", ".join(SEVERITIES)))
            self.groups.append((frozenset(str(c) for c in group["categories"]), SEVERITY_RANK[minimum]))

    def applies(self, matched):
        return all(any(r.category in cats and r.rank >= minimum for r in matched) for cats, minimum in self.groups)


class RuleSet(object):
    """Compiled rules; ``evaluate(task, context)`` -> {severity, reasons, escalations}."""

    def __init__(self, rules, escalations, sources):
        self.rules = rules
        self.escalations = escalations
        self.sources = sources
        self.by_id = {r.id: r for r in rules}

    def evaluate(self, task, context=None):
        if not isinstance(task, dict):
            return {"severity": None, "reasons": [], "escalations": []}
        fc = _FieldCache(task, context or {})
        matched = [rule for rule in self.rules if rule._match(fc)]
        if not matched:
            return {"severity": None, "reasons": [], "escalations": []}
        rank = max(r.rank for r in matched)
        applied = [e for e in self.escalations if e.applies(matched)]
        rank = min(rank + len(applied), SEVERITY_RANK["critical"])
        matched.sort(key=lambda r: (-r.rank, r.id))
        return {"severity": SEVERITIES[rank], "reasons": [r.reason() for r in matched],
                "escalations": [dict({"rule": e.id, "title": e.title}, **({"i18n": e.i18n} if e.i18n else {}))
                                for e in applied]}


# ------------------------------------------------------------------- loading
_RULE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$")


def _read_rule_file(path):
    """(data, its top ``_Place``) of one rule file, read with the collection's one
    hardened YAML loader (inventory_yaml: size cap, no FIFO wait, core tags only,
    no duplicate keys, bounded depth; here also no aliases) and checked at the top."""
    doc = load_yaml_file(path, max_bytes=MAX_RULE_FILE_BYTES, aliases=False)
    if doc.errors:
        line, column, code, message = doc.errors[0]
        if code in ("file_unreadable", "file_too_large"):
            reason = message[len("cannot read file: "):] if message.startswith("cannot read file: ") else message
            raise RiskRuleError("%s: cannot read risk rule file: %s" % (path, reason))
        raise RiskRuleError("%s:%d:%d: invalid YAML: %s" % (path, line, column, message))
    top, data = _Place(path, doc), doc.data
    if not isinstance(data, dict):
        raise top.error("a risk rule file is a mapping with 'rules' (and optional 'escalations')")
    unknown = set(data) - {"version", "rules", "escalations"}
    if unknown:
        raise top.error("unknown top-level key(s) %s" % sorted(unknown))
    if data.get("version", 1) != 1:
        raise top.child("version").error(
            "unsupported rule file version %r (this collection reads version 1)" % (data.get("version"),))
    return data, top


def _validate_rule(data, where, index):
    """``where``: the ``_Place`` of ``rules[index]``."""
    where = where.named("rules[%d]" % index)
    if not isinstance(data, dict):
        raise where.error("a rule must be a mapping")
    rid = data.get("id")
    if not isinstance(rid, str) or not _RULE_ID.match(rid):
        raise where.child("id").error("id must be a short identifier like TG-R001 (got %r)" % (rid,))
    where = where.named("rule %s" % rid)
    allowed = {"id", "title", "description", "severity", "category", "mitre", "references", "match", "enabled", "i18n"}
    unknown = set(data) - allowed
    if unknown:
        raise where.error("unknown key(s) %s" % sorted(unknown))
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise where.child("title").error("title is required")
    if data.get("severity") not in SEVERITY_RANK:
        raise where.child("severity").error("severity must be one of %s (got %r)"
                                            % (", ".join(SEVERITIES), data.get("severity")))
    if not isinstance(data.get("mitre", []), list) or not all(isinstance(m, str) for m in data.get("mitre", [])):
        raise where.child("mitre").error("mitre must be a list of technique ids")
    refs = data.get("references", [])
    if not isinstance(refs, list) or not all(isinstance(r, dict) and isinstance(r.get("title"), str) for r in refs):
        raise where.child("references").error("references must be a list of {title, url}")
    if "match" not in data:
        raise where.error("match is required")


def load_rules(paths=None):
    """Load, validate and compile rule files (default: risk_rules/default.yml).

    Later files override rules with the same id (and may disable one with
    ``enabled: false``). Raises RiskRuleError naming the file, line, column and rule.
    """
    if not paths:
        paths = [os.path.join(DEFAULT_RULES_DIR, "default.yml")]
    rules = {}
    escalations = {}
    order = []
    for path in paths:
        doc, top = _read_rule_file(path)
        items = doc.get("rules") or []
        if not isinstance(items, list):
            raise top.child("rules").error("rules must be a list")
        for index, data in enumerate(items):
            where = top.child("rules").child(index)
            _validate_rule(data, where, index)
            if data.get("enabled", True) is False:
                rules.pop(data["id"], None)
                continue
            if data["id"] not in rules:
                order.append(data["id"])
            rules[data["id"]] = Rule(data, path, where)
        esc_items = doc.get("escalations") or []
        if not isinstance(esc_items, list):
            raise top.child("escalations").error("escalations must be a list")
        for index, data in enumerate(esc_items):
            where = top.child("escalations").child(index)
            if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("title"), str):
                raise where.error("escalations[%d] needs id and title" % index)
            escalations[data["id"]] = Escalation(data, path, where)
    return RuleSet([rules[i] for i in order if i in rules], list(escalations.values()), list(paths))


_CACHE = {}


def load_rules_cached(paths=None):
    """Per-process cache keyed by (path, mtime, size) of every file: rules compile once."""
    paths = list(paths or [os.path.join(DEFAULT_RULES_DIR, "default.yml")])
    key = []
    for path in paths:
        try:
            st = os.stat(path)
            key.append((os.path.abspath(path), st.st_mtime_ns, st.st_size))
        except OSError:
            key.append((os.path.abspath(path), None, None))
    key = tuple(key)
    ruleset = _CACHE.get(key)
    if ruleset is None:
        ruleset = load_rules(paths)
        _CACHE.clear()
        _CACHE[key] = ruleset
    return ruleset
