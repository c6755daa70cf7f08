# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every report says where each host's Windows version came from (issue 16 point 2):
drift.json carries os_source, os_build and os_inference; drift.md and drift.html
say it in English and Japanese, for audits of real evidence folders."""
from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from ansible_collections.taskguard.windows.plugins.plugin_utils import pipeline
from ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports import html_page, json_format, markdown
from ansible_collections.taskguard.windows.plugins.plugin_utils.report_runner import build_run_report

WIN10 = Path(__file__).resolve().parents[2] / "fixtures" / "authentic" / "tasks" / "win10-aptsim"
REPO = Path(__file__).resolve().parents[4]
TODAY = "2026-11-25"
SERVER_2025_REG = "\r\n".join([
    "Windows Registry Editor Version 5.00", "",
    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]",
    '"ProductName"="Windows Server 2025 Datacenter"', '"InstallationType"="Server"',
    '"CurrentBuildNumber"="26100"', '"CurrentMajorVersionNumber"=dword:0000000a',
    '"CurrentMinorVersionNumber"=dword:00000000', ""])


@pytest.fixture(scope="module")
def doc(tmp_path_factory):
    base = tmp_path_factory.mktemp("os-source")
    inferred, exported, unknown = base / "inferred", base / "exported", base / "unknown"
    for root in (inferred, exported):
        shutil.copytree(str(WIN10), str(root / "Windows" / "System32" / "Tasks"))
    (exported / "CurrentVersion.reg").write_bytes("\ufeff".encode("utf-16-le") + SERVER_2025_REG.encode("utf-16-le"))
    (unknown / "Windows" / "System32" / "Tasks" / "Contoso").mkdir(parents=True)
    shutil.copyfile(str(WIN10 / "GameOver"), str(unknown / "Windows" / "System32" / "Tasks" / "Contoso" / "Job"))
    ctx = pipeline.prepare(inventory_dirs=[str(REPO / "task_inventory")], today=TODAY)
    results = {}
    for name, root, hints in (("inferred", inferred, {}), ("exported", exported, {}), ("unknown", unknown, {}),
                              ("hinted", inferred, {"os_family": "windows_10"})):
        results[name], problem = pipeline.audit_offline(ctx, name, hints, str(root))
        assert problem is None
    results["gone"] = {"unreachable": True, "msg": "timeout"}
    return build_run_report(results, {"id": "r1", "slice": None})


def test_drift_json_says_where_each_version_came_from(doc):
    hosts = json.loads(json_format.render(doc))["hosts"]
    assert hosts["inferred"]["os_source"] == "task_folder_inference"
    assert hosts["inferred"]["os_inference"]["confidence"] == "high"
    assert hosts["exported"]["os_source"] == "reg_export" and hosts["exported"]["os_build"] == "26100"
    assert hosts["exported"]["os_family"] == "windows_server_2025"
    assert hosts["unknown"]["os_source"] is None and hosts["unknown"]["os_family"] == "unknown"
    assert hosts["unknown"]["os_inference"]["confidence"] is None and hosts["unknown"]["os_inference"]["reason"]
    assert hosts["hinted"]["os_source"] == "hint" and hosts["hinted"]["os_inference"] is None


EXPECTED = {
    "en": {"inferred": "Windows version: windows_10, from an inference from the task folder, confidence high.",
           "exported": "Windows version: windows_server_2025 (build 26100), from a reg export in the evidence.",
           "unknown": "Windows version: unknown (matched against all built-in baselines).",
           "hinted": "Windows version: windows_10, from the host variable taskguard_os_family."},
    "ja": {"inferred": "Windows バージョン: windows_10(タスクフォルダーからの推定、確度 高による)",
           "exported": "Windows バージョン: windows_server_2025(ビルド 26100、証拠内の reg export ファイルによる)",
           "unknown": "Windows バージョン: 不明(すべての標準ベースラインと照合)",
           "hinted": "Windows バージョン: windows_10(ホスト変数 taskguard_os_familyによる)"},
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_markdown_and_html_say_it_per_host_in_both_languages(doc, language):
    md = markdown.render(doc, language).decode("utf-8")
    page = html.unescape(html_page.render(doc, language).decode("utf-8"))
    for host, sentence in EXPECTED[language].items():
        section = md.split("\n## %s: " % host, 1)[1].split("\n## ", 1)[0]
        assert "_%s_" % markdown.cell(sentence, 400) in section, (host, section[:300])
        block = page.split('<h2>%s <span' % host, 1)[1].split('<section class="host"', 1)[0]
        assert '<p class="muted">%s</p>' % sentence in block
    gone = md.split("\n## gone: ", 1)[1].split("\n## ", 1)[0]
    assert "Windows" not in gone          # not audited: no version is claimed
