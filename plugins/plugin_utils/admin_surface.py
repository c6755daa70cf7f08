# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Entry points of the admin-surface audit (docs/least-privilege.md): one host at a time.

``collect_offline_admin_surface(root, sysvol_root=None) -> material``
    reads an offline evidence folder (and/or a copied SYSVOL).
``normalize_live_admin_surface(raw) -> material``
    turns the ``admin_surface`` part of the collect module's result
    (AdminMaterial.psm1, contract in tests/unit/fixtures/admin_surface/) into the same material.
``audit(host, material, host_view, previous=None, *, rules=None, admin_view=None) -> [finding]``
    judges it (admin_findings); ``previous`` is the previous audit's material of
    this host (None: "added since the last audit" cannot be told and is not claimed);
    ``admin_view`` is ``inventory_admins.view(inventory, host)`` (None: no administrators
    table, a coverage finding says so and every member is undocumented);
    ``rules`` the risk rules (optional) applied to GPO task definitions.

Material::

    {"mode": "offline"|"live",
     "gpo_tasks": gpo_tasks result | None (not attempted),
     "administrators": local_admins model | None (not attempted),
     "laps": laps model | None (not attempted)}
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import datetime

from ansible_collections.taskguard.windows.plugins.plugin_utils import admin_findings, gpo_tasks, laps, local_admins


def collect_offline_admin_surface(root, sysvol_root=None):
    gpo = gpo_tasks.collect_offline(root, sysvol_root)
    return {"mode": "offline", "gpo_tasks": gpo,
            "administrators": local_admins.collect_offline(root) if root else None,
            "laps": laps.collect_offline(root) if root else None}


def normalize_live_admin_surface(raw):
    raw = raw if isinstance(raw, dict) else {}
    error = raw.get("error")
    admins = local_admins.parse_live_material(raw.get("administrators")) if "administrators" in raw or error \
        else None
    if admins is not None and error and not admins["read"]:
        admins["errors"].append(str(error)[:500])
    gpo = gpo_tasks.parse_live_material(raw["sysvol"]) if isinstance(raw.get("sysvol"), dict) else None
    lapsm = laps.parse_live_material(raw.get("laps")) if "laps" in raw or error else None
    return {"mode": "live", "gpo_tasks": gpo, "administrators": admins, "laps": lapsm}


def audit(host, material, host_view, previous=None, *, rules=None, admin_view=None, now=None):
    """Findings (drift shape plus ``code``/``params``) of one host's admin surface, most severe first."""
    host = host if isinstance(host, dict) else {"name": str(host)}
    out = admin_findings.Findings(host.get("name"))
    material = material if isinstance(material, dict) else {}
    admin_findings.judge_gpo_tasks(out, material.get("gpo_tasks"), host, host_view, previous, rules)
    admin_findings.judge_administrators(out, material.get("administrators"), host, admin_view)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    admin_findings.judge_laps(out, material.get("laps"), host, admin_view, now)
    return out.sorted()
