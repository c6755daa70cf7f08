# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for the inventory tests: a minimal valid file and a writer."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[4]
TODAY = "2026-11-25"

VALID_VENDOR = textwrap.dedent("""\
    inventory_version: 1
    owner:
      name: Contoso Backup
      kind: vendor
      contact: support@contoso.example
    tasks:
      - path: '\\Contoso\\Backup Nightly'
        justification: Nightly backup of the local database.
        expected:
          principal:
            user_id: CONTOSO\\svc-backup
            logon_type: Password
            run_level: LeastPrivilege
          actions:
            - type: exec
              command: '"C:\\Program Files\\Contoso\\backup.exe"'
              arguments: --nightly --target D:\\backup
        expires: "2027-06-30"
        allowed_registrants: ['CONTOSO\\svc-deploy']
""")


@pytest.fixture
def write(tmp_path):
    """write(relative_name, text) -> Path inside a fresh inventory dir (tmp_path/inv)."""
    root = tmp_path / "inv"
    root.mkdir()

    def _write(name, text):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    _write.root = root
    return _write
