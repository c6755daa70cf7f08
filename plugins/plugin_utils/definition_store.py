# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalized task definitions kept by content, shared by every host audited
with the same state dir.

Most definitions on a fleet are byte-for-byte the same on every host of a
Windows build (the ~200 built-in tasks), so a first audit of 2,000 hosts would
parse the same few hundred documents thousands of times. Here a definition is
kept under the SHA-256 the controller computed over it
(``task_model.definition_sha256``: FF FE + the XML as UTF-16 LE), without the
fields its place decides (``task_model.PLACE_KEYS``: path, name, folder,
is_at_job), so any host that sends the same bytes gets the same normalized
definition without parsing it again (``task_collection.build_result``).

Why this is safe with hostile hosts: the key is computed on the controller over
the bytes the host sent, never taken from the host, so a host can only ever
add the parse of its own bytes under their own hash; it cannot change what
another host's bytes map to (short of a SHA-256 collision). Only definitions
that parsed are kept. Entries are data (JSON, nothing evaluated), checked
against their name when read, and as trustworthy as the state dir, which also
holds the event bookmarks: keep it writable by the controller account only.

Only definitions that are likely the same on many hosts are kept here:
those of tasks under ``\\Microsoft\\`` (``shareable``), where Windows keeps its
own. Creating a file is the expensive part of a store (on the project VM
~70 us on a quiet disk and ~0.7 ms while other writes are being flushed: from
more than one to more than ten parses of a definition), and most other tasks are registered
per host (their registration date, author or account differ), so storing them
would cost a file per host for nothing: their definitions stay in the host's
own cache (definition_cache.py). A definition outside ``\\Microsoft\\`` that is
the same on every host is simply parsed on each, as before. A hostile host may
put its own tasks under ``\\Microsoft\\``: they are kept under their own hash
like any other (at most ``MAX_WRITES_PER_HOST`` per audit).

Packs: reading ~200 small entries costs a file open and a JSON decode each
(~2.8 ms per host on the project VM). Definitions seen on another host (a single
entry another host wrote, read when this host needed it) are also kept together
in one pack per Windows build and product type (``pack_key``), which a host of
that build reads at once; its lines are split when it is read, and only the
entries a host asks for are decoded, those of its API definitions in one call
(``prefetch``; a build's pack also holds variants other hosts have: ~1.45 ms per
host for ~200 definitions from a 390-line pack, docs/performance.md). The
pack is picked by host facts the host reported, so a host can only ever pick a
pack, never change what a hash maps to: a pack entry is only ever looked up by
a hash computed here and is checked like a single entry when it is decoded.
Single entries name their writer (a hash of the host name), so a host's own
definitions (per-host tasks that happen to live under ``\\Microsoft\\``),
read back in its next audit, never enter a pack. A pack is extended (rewritten
atomically) when a host read entries it lacks; two forks doing so at once lose
one's additions, which the next host adds again. A pack that does not start
with its header, is cut short, has a broken line, or is full
(``MAX_PACK_ENTRIES``) is started again with the entries of the host that
writes it.

Layout: ``<state_dir>/definitions/<model>/<sha[:2]>/<sha>.json`` and
``<state_dir>/definitions/<model>/packs/<hash of the pack key>.json``, ``<model>``
identifying the parser code (``model_stamp``): definitions are reused only by
the code that produced them, and a directory of an older version can be deleted
at any time (as can the whole store: it only costs parsing again). Each entry is
one small file written atomically (``state.atomic_write``: a random temporary
name created exclusively, rename); two hosts that
write the same entry at once (a race) write the same values, only the writer tag
differs, so concurrent Ansible forks and AWX job slices sharing a state dir
cannot leave a broken or a wrong one.
Not fsynced: an entry lost in a crash is parsed again. Disk use: one file of
~1-2 KB per distinct definition, plus a pack of ~1 KB per definition of a build
seen on two hosts (docs/performance.md).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import hashlib
import json
import os
import re

from ansible_collections.taskguard.windows.plugins.plugin_utils import safe_xml, state, task_model
from ansible_collections.taskguard.windows.plugins.plugin_utils.task_model import (
    DEFINITION_KEYS,
    MAX_TASK_BYTES,
    PLACE_KEYS,
    definition_sha256,
    parse_task_definition,
    place_definition,
)

STORE_DIR = "definitions"
# The fields kept per definition, in this order (a JSON list: smaller and faster
# to read than an object with the names repeated).
STORED_KEYS = tuple(k for k in DEFINITION_KEYS if k not in PLACE_KEYS)
_SHA_AT = STORED_KEYS.index("sha256")
# An entry is the STORED_KEYS values, then (since packs) the writer's tag;
# readers use the values only (``zip(STORED_KEYS, values)``).
_ENTRY_LENGTHS = (len(STORED_KEYS), len(STORED_KEYS) + 1)
_FINGERPRINT_AT = STORED_KEYS.index("fingerprint")
_ACTIONS_AT = STORED_KEYS.index("actions")
_TRIGGERS_AT = STORED_KEYS.index("triggers")
# A normalized definition is smaller than its XML (MAX_TASK_BYTES); this bounds
# a broken or planted entry.
MAX_ENTRY_BYTES = 2 * task_model.MAX_TASK_BYTES
# A host sends a few hundred tasks; a hostile one could send many thousands
# under \Microsoft\ to fill the store: beyond this they are parsed, not kept.
MAX_WRITES_PER_HOST = 1000
# A build has a few hundred built-in tasks, and updates change a few of them
# each month; a hostile host could add its own (seen twice) to its build's pack.
MAX_PACK_ENTRIES = 4000
MAX_PACK_BYTES = MAX_PACK_ENTRIES * 4096
PACK_DIR = "packs"
# A pack is this line, then one line per entry: "<sha256> <entry JSON>".
PACK_HEADER = b"taskguard definition pack 1"
_SHARED_PREFIX = "\\microsoft\\"

_model_stamp = None


def model_stamp():
    """Identity of the code that turns XML into a normalized definition: kept
    definitions are reused only by the same code."""
    global _model_stamp
    if _model_stamp is None:
        digest = hashlib.sha256()
        for module in (task_model, safe_xml):
            source = module.__file__
            if source.endswith((".pyc", ".pyo")):
                source = source[:-1]
            with open(source, "rb") as handle:
                digest.update(handle.read())
        _model_stamp = digest.hexdigest()
    return _model_stamp


def shareable(path):
    """Is the definition of the task at ``path`` kept in the shared store?"""
    return isinstance(path, str) and path[:11].lower() == _SHARED_PREFIX


_SHA256_HEX = re.compile(r"[0-9a-f]{64}").fullmatch
_SHA256_HEX_BYTES = re.compile(br"[0-9a-f]{64}").fullmatch


def is_sha256(value):
    """A lower-case hex SHA-256 (what names a store entry: no path can be built from anything else)."""
    return isinstance(value, str) and _SHA256_HEX(value) is not None


class DefinitionStore(object):
    """The store of one state dir, for one process (one Ansible fork, one host).

    ``kept_values``/``put`` never raise for a store problem: a read that fails is a
    miss (the definition is parsed), a write that fails is remembered in
    ``error`` and writing stops for this process (the run goes on parsing).
    """

    def __init__(self, state_dir, host=None):
        self.root = os.path.join(state_dir, STORE_DIR, model_stamp()[:16])
        # Single entries name the host that wrote them (a hash of its name), so
        # that only a definition seen on *another* host goes into a pack: a
        # host's own per-host definitions, read back in its next audit, do not.
        self._writer = hashlib.sha256(host.encode("utf-8", "surrogatepass")).hexdigest()[:16] \
            if isinstance(host, str) and host else ""
        self.hits = 0
        self.written = 0
        self.error = None
        self._present = set()   # hashes read or written by this process
        self.pack_key = None
        self.pack_hits = 0
        self._pack = {}         # sha -> its line in the pack in use
        self._pack_raw = None   # the pack's bytes (extended by save_pack)
        self._pack_count = 0    # entries in those bytes
        self._pack_clean = False  # every line of it a good entry (so far): extended, else started again
        self._for_pack = {}     # sha -> bytes of single entries read (seen before): the pack lacks them
        self._ready = {}        # sha -> values decoded by prefetch, not handed out yet

    def _path(self, sha):
        return os.path.join(self.root, sha[:2], sha + ".json")

    def _pack_path(self, key):
        # hashed: the key comes from host facts, a name built from it must not
        name = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return os.path.join(self.root, PACK_DIR, name + ".json")

    def use_pack(self, key):
        """Read the pack of ``key`` (see ``pack_key``); a missing or broken pack is
        empty. Nothing happens when ``key`` is already in use.

        Only the lines are split here; an entry is decoded (and checked) when it
        is prefetched or asked for: a build's pack also holds the variants other
        hosts have."""
        if not isinstance(key, str) or key == self.pack_key:
            return
        self.pack_key, self._pack, self._pack_raw, self._pack_count, self._for_pack = key, {}, None, 0, {}
        self._ready = {}
        try:
            raw = state.read_at_most(self._pack_path(key), MAX_PACK_BYTES + 1)
        except OSError:
            return
        lines = raw.split(b"\n")
        if len(raw) > MAX_PACK_BYTES or lines[0] != PACK_HEADER or lines[-1] != b"":
            return   # not a pack, or cut short: rewritten by the next host that adds to it
        pack = {}
        for line in lines[1:-1][:MAX_PACK_ENTRIES]:
            sha = line[:64]
            if line[64:65] == b" " and _SHA256_HEX_BYTES(sha) is not None:
                pack[sha.decode("ascii")] = line
        self._pack, self._pack_raw, self._pack_count = pack, raw, len(lines) - 2
        self._pack_clean = len(pack) == self._pack_count   # a broken line: the pack is started again

    def save_pack(self):
        """Add to the pack in use the entries this host read one by one; True when
        the pack was written."""
        if self.pack_key is None or not self._for_pack or self.error is not None:
            return False
        added = b"".join(b"%s %s\n" % (sha.encode("ascii"), body) for sha, body in self._for_pack.items())
        if (self._pack_raw is not None and self._pack_clean
                and self._pack_count + len(self._for_pack) <= MAX_PACK_ENTRIES):
            data, count = self._pack_raw + added, self._pack_count + len(self._for_pack)
        else:
            # none yet, broken or full: started again with this host's additions
            data, count = PACK_HEADER + b"\n" + added, len(self._for_pack)
        if len(data) > MAX_PACK_BYTES or not self._write(self._pack_path(self.pack_key), data):
            return False
        self._pack_raw, self._pack_count, self._pack_clean = data, count, True
        self._for_pack = {}
        return True

    def ensure(self, definition):
        """Make sure the store holds ``definition``; True when it does."""
        sha = definition.get("sha256")
        if sha in self._present:
            return True
        if is_sha256(sha) and os.path.isfile(self._path(sha)):
            self._present.add(sha)
            return True
        self.put(definition)
        return sha in self._present

    def prefetch(self, shas):
        """Decode, in one call, the pack entries of the hashes a host is about to
        ask for (``kept_values`` then hands each out once): one JSON decode of
        the ~200 entries a host uses costs less than ~200 decodes, and less
        than decoding a whole pack that also holds other hosts' variants."""
        lines = [line for line in map(self._pack.get, shas) if line is not None]
        if not lines:
            return
        try:
            decoded = json.loads(b"[" + b",".join(line[65:] for line in lines) + b"]")
        except ValueError:
            return   # a broken line: each entry is decoded (and checked) when asked for
        if decoded.__class__ is not list or len(decoded) != len(lines):
            return   # a line holding more than one value
        ready = self._ready
        for line, values in zip(lines, decoded):
            sha = line[:64].decode("ascii")
            if values.__class__ is list and len(values) in _ENTRY_LENGTHS and _well_formed(values, sha):
                ready[sha] = values

    def kept_values(self, sha):
        """The kept values (STORED_KEYS order) of ``sha``, or None. ``sha`` must be
        a hash computed here or checked with ``is_sha256`` (it names a file).
        Callers own what they get (a prefetched entry is handed out once)."""
        values = self._ready.pop(sha, None)
        if values is not None:
            self.hits += 1
            self.pack_hits += 1
            self._present.add(sha)
            return values
        line = self._pack.get(sha)
        if line is not None:
            values = _decoded(line[65:], sha)
            self._pack_clean = self._pack_clean and values is not None
            if values is not None:
                self.hits += 1
                self.pack_hits += 1
                self._present.add(sha)
                return values
        try:
            raw = state.read_at_most(self._path(sha), MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        values = _decoded(raw, sha) if len(raw) <= MAX_ENTRY_BYTES else None
        if values is None:
            return None   # a broken entry is a miss, then overwritten
        self.hits += 1
        self._present.add(sha)
        if (self.pack_key is not None and len(self._for_pack) < MAX_PACK_ENTRIES
                and not (self._writer and values[-1] == self._writer)):
            # seen on another host before: worth a place in the build's pack
            # (one line: JSON with its white space taken out)
            self._for_pack[sha] = raw.strip().replace(b"\n", b"").replace(b"\r", b"")
        return values

    def put(self, definition):
        """Keep a parsed definition under its own ``sha256``."""
        sha = definition.get("sha256")
        if (self.error is not None or not is_sha256(sha) or definition.get("fingerprint") is None
                or self.written >= MAX_WRITES_PER_HOST):
            return
        if sha in self._present:
            return
        # ASCII JSON: lone surrogates a host sent survive as escapes.
        data = json.dumps([definition[k] for k in STORED_KEYS] + [self._writer], separators=(",", ":"),
                          check_circular=False).encode("ascii")
        if self._write(self._path(sha), data):
            self.written += 1
            self._present.add(sha)

    def _write(self, path, data):
        """Write a file of the store atomically; False (and ``error``) when it fails.

        ``state.atomic_write`` without fsync (an entry lost in a crash is parsed
        again), mode 0600 with no chmod, folders 0700 created only when missing:
        a store writes hundreds of small files and each extra syscall counts."""
        try:
            state.atomic_write(path, data, durable=False, file_mode=state.PRIVATE_FILE, dir_mode=0o700)
        except state.ReportWriteError as exc:
            self.error = "definition store %s not written (definitions are parsed again next time): %s" % (
                self.root, exc)
            return False
        return True


def _decoded(raw, sha):
    """The values of a kept entry's JSON (bytes), or None when it is not one."""
    try:
        values = json.loads(raw)
    except ValueError:   # incl. bad UTF-8
        return None
    if values.__class__ is not list or len(values) not in _ENTRY_LENGTHS or not _well_formed(values, sha):
        return None
    return values


def _well_formed(values, sha):
    """A kept entry (a list of STORED_KEYS length) that names itself ``sha`` and
    has the shapes every later step relies on."""
    return (values[_SHA_AT] == sha and values[_FINGERPRINT_AT].__class__ is str
            and values[_ACTIONS_AT].__class__ is list and values[_TRIGGERS_AT].__class__ is list)


def pack_key(host):
    """The pack a host's shared definitions are read from: its Windows build and
    product type (``host_context`` facts; ``None`` values are a pack of their own)."""
    host = host if isinstance(host, dict) else {}
    return "build=%s;product=%s" % (host.get("os_build"), host.get("product_type"))


_TEMPLATE = dict.fromkeys(DEFINITION_KEYS)   # the parser's key order


def at_place_values(values, path):
    """A full definition from kept values (STORED_KEYS order): a new dict with
    the place fields of ``path``, exactly what ``parse_task_definition(xml,
    path=path)`` returns, in its key order."""
    definition = _TEMPLATE.copy()
    definition.update(zip(STORED_KEYS, values))
    return place_definition(definition, path)


def stored_sha(xml, path):
    """The hash a definition is kept under when it may be (``shareable`` path,
    not oversized), else None. Computed here, never taken from the host."""
    if not shareable(path) or len(xml) > MAX_TASK_BYTES:
        return None
    return definition_sha256(xml)


def parse_with_store(xml, path, store, sha=None):
    """``parse_task_definition(xml, path=path)``, or the kept definition of the
    same bytes when ``store`` has one (only for ``shareable`` paths); a new
    shareable definition is added. ``sha``: ``stored_sha(xml, path)`` when the
    caller computed it already. Raises what the parser raises."""
    if store is None:
        return parse_task_definition(xml, path=path)
    sha = sha or stored_sha(xml, path)
    if sha is None:
        return parse_task_definition(xml, path=path)
    values = store.kept_values(sha)
    if values is not None:
        return at_place_values(values, path)
    definition = parse_task_definition(xml, path=path, sha256=sha)
    store.put(definition)
    return definition
