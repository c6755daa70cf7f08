# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory cache must never serve an inventory without its administrators
table: every host would then get a false 'no administrators table' finding."""
from __future__ import annotations

from ansible_collections.taskguard.windows.plugins.plugin_utils import inventory_admins, inventory_cache

DOC = """inventory_version: 1
owner: {name: Contoso IT, kind: internal, contact: it@contoso.example}
defaults:
  approval: {ticket: CHG-1, approver: CISO, date: '2026-01-10'}
tasks: []
administrators:
- sid: S-1-5-21-1004336348-1177238915-682003330-512
  justification: Domain Admins
"""


def test_a_cached_load_keeps_the_administrators_table(tmp_path):
    folder = tmp_path / "inventory"
    folder.mkdir()
    (folder / "admins.yml").write_text(DOC, encoding="utf-8")
    state = tmp_path / "state"
    for _round in range(2):       # the second load is the one a cache would serve
        inventory, note = inventory_cache.load_inventory([str(folder)], today="2026-11-01", cache_dir=str(state))
        assert inventory.errors == []
        view = inventory_admins.view(inventory, {"name": "srv", "groups": [], "domain_role": "member_server"})
        assert view is not None and len(view.entries) == 1
        assert note and "administrators table" in note
