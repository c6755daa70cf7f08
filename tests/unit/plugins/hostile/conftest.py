# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Guards shared by the hostile-input and fault suite (issue 9).

* ``hang_seconds_default``: every test of this suite runs under the hang guard of
  tests/unit/conftest.py (``HANG_SECONDS``, or its ``hang_seconds(n)`` marker). It
  detects hangs; it is not a performance assertion.
* ``no_network`` (autouse): every AF_INET/AF_INET6 ``connect`` in this process
  is recorded and refused; the test fails if anything tried.
* ``net_canary``: a listening socket on 127.0.0.1; payloads point at it, and
  the test asserts nothing ever connected (works across processes too).
* ``canary``: a secret file and a FIFO outside the evidence root. A watcher
  thread notices when anyone opens the FIFO for reading (libxml2 loading an
  external DTD, a collector following a symlink) and then feeds it the secret
  so the reader does not block; the secret must never reach any output.
"""
from __future__ import annotations

import errno
import os
import socket
import threading
import time
import uuid

import pytest

# Long enough that only a hang reaches it: under the load of a shared 2-core machine a test of
# this suite took 21 s and a 20 s guard failed it (a flaky failure, not a hang).
HANG_SECONDS = 120


@pytest.fixture
def hang_seconds_default():
    return HANG_SECONDS


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    attempts = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def _inet(sock):
        return sock.family in (socket.AF_INET, socket.AF_INET6)

    def connect(sock, address):
        if _inet(sock):
            attempts.append(address)
            raise OSError(errno.ENETUNREACH, "network disabled in the hostile-input suite")
        return real_connect(sock, address)

    def connect_ex(sock, address):
        if _inet(sock):
            attempts.append(address)
            return errno.ENETUNREACH
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield attempts
    assert attempts == [], "network connection attempted: %r" % attempts


class NetCanary:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d/taskguard-canary" % self.port

    def connections(self):
        count = 0
        while True:
            try:
                conn, _addr = self.sock.accept()
            except (BlockingIOError, OSError):
                return count
            conn.close()
            count += 1

    def close(self):
        self.sock.close()


@pytest.fixture
def net_canary():
    canary = NetCanary()
    yield canary
    try:
        assert canary.connections() == 0, "something connected to the network canary"
    finally:
        canary.close()


class Canary:
    """A secret outside the evidence root, as a regular file and as a FIFO."""

    def __init__(self, directory):
        self.dir = directory
        self.secret = "TG-CANARY-%s" % uuid.uuid4().hex
        self.file = os.path.join(directory, "secret.txt")
        with open(self.file, "w", encoding="utf-8") as handle:
            handle.write(self.secret + "\n")
        self.fifo = os.path.join(directory, "secret.fifo")
        os.mkfifo(self.fifo)
        self.fifo_opened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        # O_WRONLY|O_NONBLOCK on a FIFO fails with ENXIO while nobody reads it:
        # success means a reader opened it.
        while not self._stop.is_set():
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.005)
                continue
            self.fifo_opened += 1
            try:
                os.write(fd, (self.secret + "\n").encode())
            except OSError:
                pass
            os.close(fd)
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join(2)

    def assert_not_in(self, *texts):
        for text in texts:
            if isinstance(text, bytes):
                assert self.secret.encode() not in text
                assert self.secret.encode("utf-16-le") not in text
            else:
                assert self.secret not in str(text)


@pytest.fixture
def canary(tmp_path_factory):
    c = Canary(str(tmp_path_factory.mktemp("outside-root")))
    yield c
    c.stop()
    assert c.fifo_opened == 0, "a FIFO outside the evidence root was opened for reading"


class FileReads:
    """Every file opened by Python code (builtins.open, io.open, os.open, open_code)
    while recording, from a process-wide audit hook (installed once; hooks cannot
    be removed, so it only records while a test asks it to). C-level opens
    (libxml2) are not seen here: the canary FIFO covers those."""

    _installed = False
    _active = None

    def __init__(self):
        self.paths = []
        self.thread = None

    @classmethod
    def _hook(cls, event, args):
        target = cls._active
        # only the recording thread (the canary watcher opens its FIFO all the time)
        if target is None or event != "open" or not args or threading.get_ident() != target.thread:
            return
        path = args[0]
        if isinstance(path, (str, bytes)):
            target.paths.append(os.path.realpath(os.fsdecode(path)))

    def __enter__(self):
        if not FileReads._installed:
            import sys
            sys.addaudithook(FileReads._hook)
            FileReads._installed = True
        self.thread = threading.get_ident()
        FileReads._active = self
        return self

    def __exit__(self, *exc):
        FileReads._active = None

    def outside(self, root, allowed=()):
        """Opened paths that are neither under ``root`` nor under an allowed prefix."""
        import sys
        prefixes = [os.path.realpath(str(root))] + [os.path.realpath(str(a)) for a in allowed] + [
            os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), REPO_ROOT]
        return sorted({p for p in self.paths
                       if not any(p == pre or p.startswith(pre.rstrip(os.sep) + os.sep) for pre in prefixes)})


REPO_ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


@pytest.fixture
def file_reads():
    return FileReads()
