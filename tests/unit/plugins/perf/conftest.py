# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make tools/ importable for the perf tests (the bench harness and fleet generator)."""
from __future__ import annotations

import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[4] / "tools"
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))
