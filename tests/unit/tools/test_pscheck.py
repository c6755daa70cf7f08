# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tools/pscheck.py must fail on real PowerShell syntax errors (it is the only
check the PowerShell gets on machines without pwsh)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PSCHECK = ROOT / "tools" / "pscheck.py"

GOOD = """#AnsibleRequires -CSharpUtil Ansible.Basic
$spec = @{ options = @{ name = @{ type = 'str' } } }
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
foreach ($i in 1..3) { if ($i -gt 1) { $module.Result.n = $i } }
$module.ExitJson()
"""

BROKEN = {
    "missing closing brace": "function Get-X {\n  if ($a) { 'x'\n}\n",
    "unterminated string": "$a = 'abc\n$b = 1\n",
    "unbalanced paren": "if (($a -eq 1) { 'x' }\n",
    "hashtable without closing": "$h = @{ a = 1\n",
}


def run(*paths):
    return subprocess.run([sys.executable, str(PSCHECK), *map(str, paths)], capture_output=True, text=True, check=False)


def test_valid_module_passes(tmp_path):
    path = tmp_path / "good.ps1"
    path.write_text(GOOD)
    result = run(path)
    assert result.returncode == 0, result.stdout
    assert "1 PowerShell file(s) checked, 0 with syntax errors" in result.stdout


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_syntax_error_fails_with_file_name(tmp_path, name):
    path = tmp_path / "bad.psm1"
    path.write_text(BROKEN[name])
    result = run(tmp_path)
    assert result.returncode == 1, (name, result.stdout)
    assert "bad.psm1: PowerShell syntax error near line" in result.stdout


def test_every_powershell_file_of_the_collection_parses():
    result = run()
    assert result.returncode == 0, result.stdout
    assert " 0 with syntax errors" in result.stdout
