# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The message catalogue of the human-readable reports (English and Japanese).

Internal to taskguard.windows. Every string a reader sees in drift.html,
drift.md, drift.csv (headers), junit.xml (messages) and the console summary
comes from here, looked up by key; JSON keys and enumeration values stay
English in drift.json. ``tests/unit/plugins/drift/test_report_messages.py``
checks that every key has both languages and the same ``{placeholders}``.

``CODE_TITLES_JA`` holds the Japanese title template of each built-in finding
code (``findings.CATALOGUE``; the English template lives there). Risk rules carry
their Japanese title/description in the rule files (``i18n: {ja: ...}``).
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"

# Page font stacks: Windows (Yu Gothic, Meiryo), macOS (Hiragino), Linux (Noto CJK).
FONT_STACK = {
    "en": 'system-ui,"Segoe UI",Arial,"Noto Sans CJK JP",sans-serif',
    "ja": '"Yu Gothic UI","Yu Gothic",YuGothic,Meiryo,"Hiragino Sans","Hiragino Kaku Gothic ProN",'
          '"Noto Sans CJK JP","Noto Sans JP",sans-serif',
}


def _m(en, ja):
    return {"en": en, "ja": ja}


MESSAGES = {
    # ---------------------------------------------------------------- page
    "report.title": _m("Scheduled task drift report", "スケジュールタスク監査レポート"),
    "report.run": _m("Run {run}, generated {time}.", "実行 {run}(作成 {time})"),
    "report.totals": _m("{hosts} host(s), {tasks} task(s) with findings, {gaps} audit gap(s).",
                        "ホスト {hosts} 台、指摘のあるタスク {tasks} 件、監査の欠落 {gaps} 件"),
    "report.language_note": _m("Enumerations in drift.json stay in English.",
                               "drift.json の列挙値は英語のままです。"),
    "report.fleet": _m("Hosts by priority", "優先度順のホスト一覧"),
    "report.fleet_help": _m("Domain controllers first, then member servers, admin workstations and other hosts "
                            "(the guideline's priority order). Counts are tasks, not rule hits.",
                            "ガイドラインの優先順(ドメインコントローラー、メンバーサーバー、特権管理者の端末、その他)に"
                            "並べています。件数はルールの該当数ではなくタスクの数です。"),
    "report.tasks": _m("Task cards", "タスクカード"),
    "report.timeline": _m("Timeline of task events", "タスクイベントの時系列"),
    "report.timeline_none": _m("No task event in the window read.", "読み取った期間にタスクイベントはありません。"),
    "report.audit_gaps": _m("What the audit could not see", "監査で確認できなかった範囲"),
    # the Windows version of a host and where it came from (drift_reports/host_version.py)
    "host.os": _m("Windows version: {os_family}, from {source}.", "Windows バージョン: {os_family}({source}による)"),
    "host.os_build": _m("Windows version: {os_family} (build {build}), from {source}.",
                        "Windows バージョン: {os_family}(ビルド {build}、{source}による)"),
    "host.os_unknown": _m("Windows version: unknown (matched against all built-in baselines).",
                          "Windows バージョン: 不明(すべての標準ベースラインと照合)"),
    "os_source.live": _m("the host itself (WMI, same round trip)", "ホスト自身(WMI、同じ接続で取得)"),
    "os_source.hive": _m("the SOFTWARE hive of the evidence", "証拠の SOFTWARE ハイブ"),
    "os_source.reg_export": _m("a reg export in the evidence", "証拠内の reg export ファイル"),
    "os_source.task_folder_inference": _m("an inference from the task folder, confidence {confidence}",
                                          "タスクフォルダーからの推定、確度 {confidence}"),
    "os_source.hint": _m("the host variable taskguard_os_family", "ホスト変数 taskguard_os_family"),
    "os_source.collected": _m("the collected host facts", "収集したホスト情報"),
    "confidence.high": _m("high", "高"),
    "confidence.unknown": _m("unknown", "不明"),
    "report.no_cards": _m("No task finding.", "タスクに関する指摘はありません。"),
    "report.more_cards": _m("{count} more finding(s) in drift.json.", "ほか {count} 件の指摘は drift.json を参照してください。"),
    "report.more_events": _m("{count} more event(s) in drift.json.", "ほか {count} 件のイベントは drift.json を参照してください。"),
    "report.more_reasons": _m("(+{count} more)", "(ほか {count} 件)"),
    "report.compliance_counts": _m("compliant {compliant}, not compliant {not_compliant}, unknown {unknown}, "
                                   "not applicable {not_applicable}; not compliant or unknown: {open}",
                                   "準拠 {compliant}、非準拠 {not_compliant}、不明 {unknown}、対象外 {not_applicable}"
                                   "(非準拠・不明: {open})"),
    "report.no_compliance": _m("no compliance report for this host", "このホストの準拠状況レポートはありません"),
    "report.compliance": _m("Hardening compliance", "ハードニング準拠状況"),
    "report.admins": _m("Who is local administrator where", "ローカル管理者の一覧(どのホストで誰が管理者か)"),
    "report.admins_help": _m("Members of each host's local Administrators group (S-1-5-32-544, read by SID), one row "
                             "per account. Undocumented members are findings on their host; hosts whose group could "
                             "not be read are listed below the table, never shown as empty.",
                             "各ホストのローカル Administrators グループ(S-1-5-32-544、SID で読み取り)のメンバーを、"
                             "アカウントごとに 1 行で示します。台帳にないメンバーは各ホストの指摘事項です。"
                             "グループを読み取れなかったホストは表の下に列挙し、空欄として扱いません。"),
    "report.admins_unread": _m("Not read: {host}: {reason}", "未取得: {host}: {reason}"),
    "report.admins_none": _m("No host's Administrators group was read in this run.",
                             "この実行では、どのホストの Administrators グループも読み取れませんでした。"),
    "col.account": _m("account", "アカウント"),
    "col.hosts_admin": _m("administrator on", "管理者であるホスト"),
    "admin.documented": _m("documented", "台帳に記載"),
    "admin.undocumented": _m("not documented", "台帳に未記載"),
    "admin.no_table": _m("no table", "台帳なし"),
    "admin.orphaned": _m("orphaned SID", "孤立した SID"),
    "admin.entra": _m("Entra ID", "Entra ID のアカウント"),
    "admin.dc_builtin": _m("the domain's BUILTIN\\Administrators (domain controller)",
                           "ドメインの BUILTIN\\Administrators(ドメインコントローラー)"),
    "admin.not_read": _m("Administrators group not read: {reason}", "Administrators グループ未取得: {reason}"),
    "junit.admins_pass": _m("{count} member(s), each documented for this host",
                            "メンバー {count} 件、すべてこのホストの台帳に記載"),
    "junit.admins_fail": _m("{count} of {total} member(s) not documented for this host or orphaned: {members}",
                            "メンバー {total} 件中 {count} 件が台帳に未記載または孤立した SID: {members}"),
    "report.batch": _m("Who may log on as a batch job (run tasks unattended)",
                       "バッチ ジョブとしてログオンできるアカウント(タスクを無人で実行できる権利)"),
    "report.batch_help": _m("Holders of SeBatchLogonRight on each host, by SID, with the name the host resolved "
                            "(offline evidence holds SIDs only) or the well-known name of a Windows SID, marked "
                            "so. A holder that Windows does not define and no administrators or task_accounts "
                            "entry documents is a finding on its host (TG-A023); rights that could not be read "
                            "are listed, never shown as empty.",
                            "各ホストで SeBatchLogonRight を保持するアカウントを SID で示します。名前は、ホストで"
                            "解決できたもの(オフラインの証拠には SID しかありません)か、Windows の既知の SID の"
                            "名前(その旨を表示)です。Windows の組み込みでなく、administrators にも task_accounts "
                            "にも記載のない保持者は、そのホストの指摘事項です(TG-A023)。読み取れなかった権利は"
                            "列挙し、空欄として扱いません。"),
    "col.state": _m("state", "状態"),
    "batch.built_in": _m("Windows built-in", "Windows の組み込み"),
    "batch.denied": _m("also holds SeDenyBatchLogonRight (the deny wins)",
                       "SeDenyBatchLogonRight も保持(拒否が優先)"),
    "batch.deny_only": _m("holds only SeDenyBatchLogonRight (denied)", "SeDenyBatchLogonRight のみ保持(拒否)"),
    "batch.not_read": _m("{right} not read: {reason}", "{right} 未取得: {reason}"),
    "batch.well_known": _m("{name} (well-known SID)", "{name}(既知の SID)"),
    "batch.not_collected": _m("batch logon rights not collected", "バッチ ログオン権利は未取得"),
    "report.proposals": _m("Proposed inventory entries", "タスク台帳への登録案"),
    "report.proposals_help": _m("Review before adding them to task_inventory/: fields marked CONFIRM need a human.",
                                "task_inventory/ に追加する前に内容を確認してください。CONFIRM の項目は担当者の判断が必要です。"),
    "report.more_proposals": _m("{count} more proposal(s) in drift.json.", "ほか {count} 件の登録案は drift.json を参照してください。"),
    "report.see_html": _m("Full cards with evidence: drift.html; raw data: drift.json.",
                          "証跡を含む詳細は drift.html、元データは drift.json を参照してください。"),

    # ---------------------------------------------------------------- filters (html)
    "filter.search": _m("Search", "検索"),
    "filter.min_severity": _m("Minimum severity", "重大度(以上)"),
    "filter.verdict": _m("Host verdict", "ホストの判定"),
    "filter.kind": _m("Kind", "種別"),
    "filter.all": _m("all", "すべて"),
    "filter.shown": _m("shown", "表示中"),
    "filter.expand": _m("Open all cards", "すべて開く"),
    "filter.collapse": _m("Close all cards", "すべて閉じる"),

    # ---------------------------------------------------------------- table/column headers
    "col.host": _m("host", "ホスト"),
    "col.tier": _m("tier", "区分"),
    "col.verdict": _m("verdict", "判定"),
    "col.reason": _m("reason", "理由"),
    "col.tasks": _m("tasks", "タスク"),
    "col.gaps": _m("gaps", "欠落"),
    "col.kind": _m("kind", "種別"),
    "col.task": _m("task", "タスク"),
    "col.command": _m("command line", "コマンドライン"),
    "col.principal": _m("run as", "実行アカウント"),
    "col.registered_by": _m("registered by", "登録者"),
    "col.registered_at": _m("registered at", "登録日時"),
    "col.severity": _m("severity", "重大度"),
    "col.reasons": _m("reasons", "根拠"),
    "col.mitre": _m("MITRE ATT&CK", "MITRE ATT&CK"),
    "col.entry": _m("inventory entry", "台帳エントリ"),
    "col.title": _m("finding", "指摘"),
    "col.finding_id": _m("finding id", "指摘ID"),
    "col.time": _m("time (UTC)", "日時(UTC)"),
    "col.event": _m("event", "イベント"),
    "col.actor": _m("actor", "実行者"),
    "col.source": _m("source", "情報源"),
    "col.control": _m("control", "対策項目"),
    "col.status": _m("status", "状態"),
    "col.detail": _m("detail", "詳細"),
    "col.report": _m("report", "レポート"),

    # ---------------------------------------------------------------- card sections
    "card.what": _m("What", "内容"),
    "card.who": _m("Who", "実行者・登録者"),
    "card.how": _m("How it starts", "起動条件"),
    "card.where": _m("Where it was seen", "検出箇所"),
    "card.why": _m("Why it matters", "リスク"),
    "card.todo": _m("What to do", "対応"),
    "card.investigate": _m("Investigate", "調査"),
    "card.remediate": _m("Remediate", "是正"),
    "card.evidence": _m("Raw evidence (JSON)", "元データ(JSON)"),
    "card.diff": _m("Differences from the inventory entry", "台帳エントリとの差分"),
    "card.diff_row": _m("{field}: expected {expected}, found {actual}", "{field}: 台帳 {expected} / 実際 {actual}"),
    "card.host": _m("Host", "ホスト"),
    "card.also": _m("also", "ほかに"),

    # card field labels
    "field.task": _m("Task", "タスク"),
    "field.action": _m("Action", "アクション"),
    "field.com": _m("COM handler", "COM ハンドラー"),
    "field.com_value": _m("class {class_id}, data {data}; registered handler: {handler}",
                          "クラス {class_id}、データ {data}、登録済みハンドラー: {handler}"),
    "field.handler_unknown": _m("not collected (look up HKCR\\CLSID\\{class_id}\\InprocServer32 on the host)",
                                "未取得(ホストの HKCR\\CLSID\\{class_id}\\InprocServer32 を確認)"),
    "field.working_directory": _m("Working directory", "作業フォルダー"),
    "field.description": _m("Description", "説明"),
    "field.author": _m("Author (as written in the task)", "作成者(タスク定義の記載)"),
    "field.state": _m("State", "状態"),
    "field.principal": _m("Runs as", "実行アカウント"),
    "field.logon_type": _m("Logon type", "ログオンの種類"),
    "field.run_level": _m("Run level", "実行レベル"),
    "field.registered": _m("Registered", "登録"),
    "field.history": _m("Registered or changed", "登録・変更"),
    "field.registered_value": _m("{action} by {user} at {time} ({channel} {event_id})",
                                 "{time} に {user} が{action}({channel} {event_id})"),
    "field.registered_from": _m("From", "接続元"),
    "field.registration_date": _m("Registration date in the task", "タスク定義上の登録日"),
    "field.no_registrant": _m("no registration event in the window read: look in older Security logs or your SIEM",
                              "読み取った期間に登録イベントがありません。古い Security ログや SIEM を確認してください"),
    "field.triggers": _m("Triggers", "トリガー"),
    "field.no_trigger": _m("no trigger: runs only when started by hand or by another program",
                           "トリガーなし(手動または他のプログラムからの起動時のみ実行)"),
    "field.seen_in": _m("Sources", "検出元"),
    "field.hidden": _m("Concealment", "隠蔽の痕跡"),
    "field.inventory": _m("Inventory entry", "台帳エントリ"),
    "field.owner": _m("Owner of the entry", "エントリの管理者"),
    "field.no_entry": _m("none (the task is not documented)", "なし(台帳に記載のないタスク)"),
    "field.events": _m("Events", "イベント"),
    "field.enabled": _m("enabled", "有効"),
    "field.disabled": _m("disabled", "無効"),
    "field.hidden_flag": _m("Hidden flag set (hidden from the Task Scheduler UI)",
                            "Hidden フラグあり(タスクスケジューラの画面に表示されない)"),
    "field.unknown": _m("unknown", "不明"),
    "field.unknown_account": _m("an unknown account", "不明なアカウント"),
    # TG-T012's {actor_check} (findings.T012_VERIFIED / T012_NAME_ONLY)
    "actor_check.verified": _m("a Windows service account, verified by SID or computer-account name",
                               "SID またはコンピューターアカウント名で確認した Windows のサービスアカウント"),
    "actor_check.name_only": _m("a Windows service account by name only, not verified",
                                "Windows のサービスアカウント名のみで、未確認"),
    # TG-A023's {account} for a holder whose name is unknown, by params.name_lookup
    # (the English words are user_rights._UNNAMED's)
    "batch_holder.unnamed": _m("{sid} ({why})", "{sid}（{why}）"),
    "name_lookup.not_looked_up": _m("name not resolved offline", "オフラインの証拠のため名前は未解決"),
    "name_lookup.unresolved": _m("name not resolved", "名前を解決できませんでした"),
    "name_lookup.not_mapped": _m("no account has this SID", "この SID を持つアカウントはありません"),
    "field.escalation": _m("Escalated", "重大度の引き上げ"),
    "field.rule_severity": _m("rule severity {severity}", "ルールの重大度 {severity}"),
    "field.references": _m("References", "参考資料"),

    # ---------------------------------------------------------------- verdicts
    "verdict.compromised": _m("compromised", "侵害の疑い大"),
    "verdict.suspicious": _m("suspicious", "要調査"),
    "verdict.incomplete": _m("incomplete audit", "監査不完全"),
    "verdict.clean": _m("clean", "問題なし"),
    "verdict.not_audited": _m("not audited", "未監査"),
    "verdict.reason.clean": _m("every task source and event channel read; no task finding at medium or above",
                               "すべてのタスク情報源とイベントチャネルを読み取り、重大度「中」以上の指摘はありません"),
    "verdict.reason.no_task_source": _m("no task source could be read", "タスク情報源を一つも読み取れませんでした"),
    "verdict.reason.more": _m("{count} more task finding(s)", "ほか {count} 件のタスクの指摘"),
    "verdict.reason.not_audited": _m("not audited: {text}", "未監査: {text}"),

    # ---------------------------------------------------------------- tiers
    "tier.domain_controller": _m("Domain controllers", "ドメインコントローラー"),
    "tier.member_server": _m("Member servers", "メンバーサーバー"),
    "tier.admin_workstation": _m("Admin workstations", "特権管理者の端末"),
    "tier.other": _m("Other hosts", "その他のホスト"),

    # ---------------------------------------------------------------- severities
    "severity.critical": _m("critical", "緊急"),
    "severity.high": _m("high", "高"),
    "severity.medium": _m("medium", "中"),
    "severity.low": _m("low", "低"),
    "severity.info": _m("info", "情報"),

    # ---------------------------------------------------------------- kinds
    "kind.hidden": _m("concealed", "隠蔽"),
    "kind.transient": _m("transient", "一時的な登録"),
    "kind.registered": _m("registered", "新規登録"),
    "kind.disabled": _m("disabled", "無効化"),
    "kind.modified": _m("modified", "改変"),
    "kind.undocumented": _m("undocumented", "台帳に未記載"),
    "kind.author_mismatch": _m("author mismatch", "作成者の不一致"),
    "kind.registered_by": _m("registered by an unexpected account", "想定外のアカウントによる登録"),
    "kind.enabled": _m("enabled", "有効化"),
    "kind.pending_review": _m("pending review", "レビュー待ち"),
    "kind.missing": _m("missing", "欠落"),
    "kind.expired": _m("entry expired", "エントリ期限切れ"),
    "kind.gpo_task": _m("GPO task", "GPO タスク"),
    "kind.local_admin": _m("local administrator", "ローカル管理者"),
    "kind.laps": _m("LAPS", "LAPS"),
    "kind.task_account": _m("task account", "タスクの実行アカウント"),
    "kind.unparseable": _m("unparseable", "解析不能"),
    "kind.coverage_gap": _m("coverage gap", "監査範囲の欠落"),
    "kind.note": _m("note", "注記"),
    "kind.unreachable": _m("unreachable", "接続不能"),
    "kind.failed": _m("audit failed", "監査失敗"),

    # ---------------------------------------------------------------- event actions
    "event.registered": _m("registered", "登録"),
    "event.updated": _m("updated", "更新"),
    "event.deleted": _m("deleted", "削除"),
    "event.disabled": _m("disabled", "無効化"),
    "event.enabled": _m("enabled", "有効化"),
    "event.started": _m("started", "開始"),
    "event.completed": _m("completed", "完了"),
    "event.process_created": _m("process created", "プロセス起動"),
    "event.log_cleared": _m("log cleared", "ログ消去"),
    "event.ran": _m("ran", "実行"),
    "event.other": _m("event", "イベント"),

    # ---------------------------------------------------------------- event channel problems (TG-C006)
    "channel_problem.channel_disabled": _m("channel disabled", "チャネルが無効"),
    "channel_problem.not_readable": _m("channel not readable", "チャネルを読み取れない"),
    "channel_problem.events_may_be_lost": _m("events may have been lost", "イベントが失われた可能性"),
    "channel_problem.foreign_records": _m("the file read for this channel holds {count} record(s) of another channel",
                                          "このチャネルとして読んだファイルに別チャネルのレコードが {count} 件"),

    # ---------------------------------------------------------------- triggers
    "trigger.boot": _m("at system start-up", "システム起動時"),
    "trigger.logon": _m("at logon", "ログオン時"),
    "trigger.logon_user": _m("at logon of {user}", "{user} のログオン時"),
    "trigger.time": _m("once at {start}", "{start} に 1 回"),
    "trigger.daily": _m("daily from {start}", "{start} から毎日"),
    "trigger.weekly": _m("weekly from {start}", "{start} から毎週"),
    "trigger.monthly": _m("monthly from {start}", "{start} から毎月"),
    "trigger.calendar": _m("on a calendar schedule from {start}", "{start} からカレンダー指定の日時"),
    "trigger.idle": _m("when the computer is idle", "アイドル時"),
    "trigger.registration": _m("when the task is registered or updated", "タスクの登録・更新時"),
    "trigger.event": _m("when an event matching a subscription is logged", "指定したイベントの記録時"),
    "trigger.session_state_change": _m("on a session change (connect, lock, unlock...)",
                                       "セッションの状態変化時(接続、ロック、ロック解除など)"),
    "trigger.wnf": _m("on a Windows notification (WNF) state change", "Windows 通知(WNF)の状態変化時"),
    "trigger.other": _m("trigger {type}", "トリガー {type}"),
    "trigger.repeat": _m("repeats every {interval}", "{interval} ごとに繰り返し"),
    "trigger.delay": _m("delayed by {delay}", "{delay} 遅延"),
    "trigger.off": _m("(trigger disabled)", "(トリガー無効)"),
    "trigger.subscription": _m("subscription: {query}", "購読条件: {query}"),

    # ---------------------------------------------------------------- logon types / run levels
    "logon.Password": _m("password stored with the task", "パスワード保存"),
    "logon.S4U": _m("S4U (runs whether the user is logged on or not, no stored password)",
                    "S4U(ユーザーのログオン状態に関係なく実行、パスワード保存なし)"),
    "logon.InteractiveToken": _m("only when the user is logged on", "ユーザーのログオン時のみ"),
    "logon.Group": _m("for members of a group", "グループのメンバー"),
    "logon.ServiceAccount": _m("service account", "サービスアカウント"),
    "logon.InteractiveTokenOrPassword": _m("interactive token or stored password", "対話型トークンまたは保存パスワード"),
    "logon.none": _m("not set in the task (default)", "指定なし(既定)"),
    "runlevel.HighestAvailable": _m("highest available (elevated, no UAC prompt)", "最上位の特権(UAC 確認なしで昇格)"),
    "runlevel.LeastPrivilege": _m("least privilege", "最小限の特権"),

    # ---------------------------------------------------------------- seen in / hidden reasons
    "seen.api": _m("Task Scheduler API", "タスクスケジューラ API"),
    "seen.file": _m("task file (System32\\Tasks)", "タスクファイル(System32\\Tasks)"),
    "seen.registry": _m("registry (TaskCache)", "レジストリ(TaskCache)"),
    "seen.events": _m("event logs only", "イベントログのみ"),
    "seen.event_logs": _m("event logs", "イベントログ"),
    "seen.gpo": _m("Group Policy preferences in SYSVOL", "SYSVOL のグループポリシー基本設定"),
    "hidden.sd_missing": _m("the security descriptor (SD) of its TaskCache Tree key was removed, so the scheduler no "
                            "longer lists it (Tarrask technique)",
                            "TaskCache の Tree キーからセキュリティ記述子(SD)が削除され、タスクスケジューラの一覧に"
                            "表示されません(Tarrask の手口)"),
    "hidden.index_zero": _m("the Index value of its TaskCache Tree key is 0, which hides it from the scheduler",
                            "TaskCache の Tree キーの Index 値が 0 に改変され、タスクスケジューラから見えません"),
    "hidden.registry_without_file": _m("it exists in the registry but has no task file (the file was removed or "
                                       "never written: GhostTask technique)",
                                       "レジストリにのみ存在し、タスクファイルがありません(ファイル削除または"
                                       "GhostTask の手口)"),
    "hidden.not_in_api": _m("the Task Scheduler API does not return it although its files or keys exist",
                            "ファイルやレジストリには存在するのに、タスクスケジューラ API からは取得できません"),
    "hidden.tree_without_tasks_entry": _m("a TaskCache Tree key without its Tasks entry",
                                          "TaskCache の Tree キーに対応する Tasks エントリがありません"),
    "hidden.tasks_entry_without_tree": _m("a TaskCache Tasks entry without its Tree key",
                                          "TaskCache の Tasks エントリに対応する Tree キーがありません"),
    "hidden.file_without_registry": _m("a task file without a TaskCache registry entry",
                                       "タスクファイルに対応する TaskCache のレジストリエントリがありません"),
    "hidden.path_mismatch": _m("the path recorded in TaskCache differs from the task file",
                               "TaskCache に記録されたパスがタスクファイルと一致しません"),
    "hidden.hash_mismatch": _m("the hash in TaskCache differs from the task file (edited outside the scheduler)",
                               "TaskCache のハッシュがタスクファイルと一致しません(スケジューラを介さずに編集された可能性)"),

    # ---------------------------------------------------------------- guidance: common steps
    "todo.export_xml": _m("Export the definition before changing anything: schtasks /query /tn \"{task}\" /xml > "
                          "task.xml (or copy C:\\Windows\\System32\\Tasks{task}).",
                          "変更する前に定義を保全します: schtasks /query /tn \"{task}\" /xml > task.xml"
                          "(または C:\\Windows\\System32\\Tasks{task} をコピー)。"),
    "todo.export_registry": _m("Export the registry keys as evidence: HKLM\\SOFTWARE\\Microsoft\\Windows NT\\"
                               "CurrentVersion\\Schedule\\TaskCache\\Tree{task} and its Tasks\\{{GUID}} entry.",
                               "証跡としてレジストリキーをエクスポートします: HKLM\\SOFTWARE\\Microsoft\\Windows NT\\"
                               "CurrentVersion\\Schedule\\TaskCache\\Tree{task} と対応する Tasks\\{{GUID}} エントリ。"),
    "todo.hash_binary": _m("Collect and hash the program it runs ({command}); check its signature and reputation.",
                           "実行されるプログラム({command})を取得してハッシュを記録し、署名と評判を確認します。"),
    "todo.who_registered": _m("Find who registered or changed it: Security 4698/4702 and TaskScheduler/Operational "
                              "106/140 around {time}; then that account's logons (4624) and the source host.",
                              "登録・変更した者を特定します: {time} 前後の Security 4698/4702 と TaskScheduler/Operational "
                              "106/140、続いてそのアカウントのログオン(4624)と接続元ホストを確認します。"),
    "todo.who_registered_unknown": _m("Find who registered it: Security 4698/4702 and TaskScheduler/Operational "
                                      "106/140 in older logs or the SIEM; then that account's logons (4624).",
                                      "登録者を特定します: 古いログや SIEM で Security 4698/4702 と TaskScheduler/"
                                      "Operational 106/140 を検索し、そのアカウントのログオン(4624)を確認します。"),
    "todo.runs": _m("Check whether it ran and what it started: TaskScheduler/Operational 200/201/129 and process "
                    "creation (Security 4688, Sysmon 1).",
                    "実行の有無と起動したプロセスを確認します: TaskScheduler/Operational 200/201/129 と"
                    "プロセス作成(Security 4688、Sysmon 1)。"),
    "todo.other_hosts": _m("Search the other hosts for the same task path, command and hash (this report, the SIEM).",
                           "同じタスクパス・コマンド・ハッシュが他のホストにないか検索します(本レポート、SIEM)。"),
    "todo.disable": _m("Contain by disabling, not deleting, so the evidence stays: schtasks /change /tn \"{task}\" "
                       "/disable.",
                       "削除ではなく無効化で封じ込め、証跡を残します: schtasks /change /tn \"{task}\" /disable"),
    "todo.escalate": _m("Treat the host as compromised: follow your incident response procedure and isolate it if "
                        "the command is confirmed malicious.",
                        "ホストを侵害されたものとして扱い、インシデント対応手順に従います。コマンドが悪性と確認できれば"
                        "ホストを隔離します。"),
    "todo.delete_after": _m("Delete the task only after the evidence is preserved and the incident is closed; then "
                            "reset the credentials of the account that registered it.",
                            "証跡の保全とインシデント対応の完了後にタスクを削除し、登録に使われたアカウントの"
                            "資格情報をリセットします。"),
    "todo.document": _m("If the task is legitimate, add an inventory entry (owner, justification, approval) through "
                        "review; the proposed entry in drift.md is a starting point.",
                        "正当なタスクであれば、レビューを経て台帳エントリ(管理者、理由、承認)を追加します。"
                        "drift.md の登録案を出発点にできます。"),
    "todo.proposal_withheld": _m("No inventory proposal: investigate first ({why}).",
                                 "台帳への登録案は出していません。先に調査してください({why})。"),
    "todo.owner": _m("Ask the owner of the inventory entry ({owner}, {entry}) whether this change was planned.",
                     "台帳エントリの管理者({owner}、{entry})に、この変更が計画されたものか確認します。"),
    "todo.owner_unknown": _m("Ask the owner of the inventory entry ({entry}) whether this change was planned.",
                             "台帳エントリ({entry})の管理者に、この変更が計画されたものか確認します。"),
    "todo.restore": _m("If the change was not planned, restore the documented definition from the entry or the "
                       "vendor's installer after preserving the current one.",
                       "計画外の変更であれば、現在の定義を保全したうえで、台帳エントリまたはベンダーの"
                       "インストーラーから正しい定義に戻します。"),
    "todo.update_entry": _m("If the change was planned, update the entry (and its approval) in the same change request.",
                            "計画された変更であれば、同じ変更申請でエントリ(と承認)を更新します。"),
    "todo.transient_events": _m("The task no longer exists: its events are the only evidence. Export them "
                                "(Security and TaskScheduler/Operational) before the logs roll over.",
                                "タスクはすでに存在せず、イベントが唯一の証跡です。ログが上書きされる前に"
                                "Security と TaskScheduler/Operational のイベントをエクスポートします。"),
    "todo.transient_lateral": _m("A task created and deleted within seconds is typical of remote execution "
                                 "(Impacket atexec, PsExec-like tools): check the source of the logon.",
                                 "数秒以内に作成・削除されたタスクはリモート実行(Impacket atexec など)の典型です。"
                                 "ログオンの接続元を確認します。"),
    "todo.hidden_compare": _m("Compare what the registry, the task file and the Task Scheduler API each show; "
                              "a task the scheduler does not list is a strong sign of tampering.",
                              "レジストリ、タスクファイル、タスクスケジューラ API の内容を比較します。"
                              "スケジューラに表示されないタスクは改ざんの強い兆候です。"),
    "todo.hidden_restore": _m("Do not delete it with schtasks (it cannot see it): export the keys, then disable "
                              "it by restoring the SD value or removing the trigger, as your IR procedure says.",
                              "schtasks では見えないため削除しないでください。キーをエクスポートしたうえで、インシデント"
                              "対応手順に従い SD 値の復元やトリガーの削除で無効化します。"),
    "todo.missing": _m("Check whether the task was removed on purpose (change records) or by an attacker "
                       "(Security 4699, TaskScheduler/Operational 141).",
                       "意図的に削除されたか(変更記録)、攻撃者によるものか(Security 4699、TaskScheduler/"
                       "Operational 141)を確認します。"),
    "todo.missing_restore": _m("Re-register it from the vendor or Windows baseline if it is required.",
                               "必要なタスクであれば、ベンダーまたは Windows の標準定義から再登録します。"),
    "todo.disabled": _m("Check who disabled it and why (Security 4701, TaskScheduler/Operational 142); disabling "
                        "security tasks (Defender, Windows Update, System Restore) impairs defences.",
                        "無効化した者と理由を確認します(Security 4701、TaskScheduler/Operational 142)。"
                        "セキュリティ関連タスク(Defender、Windows Update、システムの復元)の無効化は防御の妨害です。"),
    "todo.reenable": _m("Re-enable it if nothing justifies the change: schtasks /change /tn \"{task}\" /enable.",
                        "正当な理由がなければ再度有効化します: schtasks /change /tn \"{task}\" /enable"),
    "todo.registrant": _m("Confirm with the entry's owner that this account may change the task; if not, treat the "
                          "account as compromised and review its other activity.",
                          "このアカウントがタスクを変更してよいか、エントリの管理者に確認します。許可されていなければ"
                          "アカウントの侵害を疑い、他の操作も調査します。"),
    "todo.review": _m("Complete the review of the inventory entry (owner, justification, approval) or remove it.",
                      "台帳エントリのレビュー(管理者、理由、承認)を完了するか、エントリを削除します。"),
    "todo.expired": _m("Renew the entry's approval or remove the task if it is no longer needed.",
                       "エントリの承認を更新するか、不要になったタスクを削除します。"),
    "todo.gap": _m("Close the gap so the next audit can see everything: {hint}",
                   "次回の監査ですべて確認できるよう欠落を解消します: {hint}"),
    "todo.gap_hint": _m("enable and size the event channels (roles/hardening), grant the audit account read access, "
                        "or collect the missing evidence files; see docs/drift.md#coverage-gaps.",
                        "イベントチャネルの有効化とサイズ設定(roles/hardening)、監査アカウントへの読み取り権限付与、"
                        "不足している証跡ファイルの収集を行います(docs/drift.md#coverage-gaps 参照)。"),
    "todo.gap_meaning": _m("Until then, the host cannot be called clean.",
                           "解消されるまで、このホストを問題なしとは判断できません。"),
    "todo.unreachable": _m("Check connectivity and credentials (WinRM, firewall, account), then audit the host again.",
                           "接続と資格情報(WinRM、ファイアウォール、アカウント)を確認し、再度監査します。"),
    "todo.gpo": _m("Open the GPO ({task}) in the Group Policy Management console, export its report and check who "
                   "changed it last (Directory Service 5136 on the domain controllers).",
                   "グループポリシー管理コンソールで GPO({task})を開いてレポートをエクスポートし、最後に変更した者を"
                   "確認します(ドメインコントローラーの Directory Service 5136)。"),
    "todo.gpo_fix": _m("Remove or correct the task item in the GPO, not on each host: the next policy refresh "
                       "would bring it back.",
                       "各ホストではなく GPO 側でタスク項目を削除または修正します(ホストで消しても次回のポリシー"
                       "更新で戻ります)。"),
    "todo.admin": _m("Check with the host's owner why the account is (or is not) a local administrator, and "
                     "when it was added (Security 4732/4733).",
                     "アカウントがローカル管理者である(またはない)理由と追加日時(Security 4732/4733)を、ホストの"
                     "管理者に確認します。"),
    "todo.admin_fix": _m("Remove the membership or document it in the administrators table through review.",
                         "メンバーシップを削除するか、レビューを経て管理者一覧に記載します。"),
    "todo.laps": _m("Check the LAPS policy and the client's event log (LAPS/Operational) on the host.",
                    "ホストの LAPS ポリシーとクライアントのイベントログ(LAPS/Operational)を確認します。"),
    "todo.batch_right": _m("Find out who granted the account 'Log on as a batch job' (the Group Policy that sets the "
                           "right: gpresult /h on the host, or secpol.msc for a local grant; Security events "
                           "4704/4705 record a right assigned or removed) and which tasks run as it.",
                           "このアカウントに「バッチ ジョブとしてログオン」を付与したのが誰かを確認します(権利を設定"
                           "するグループ ポリシー: ホストで gpresult /h、ローカルの付与は secpol.msc。Security "
                           "イベント 4704/4705 に権利の割り当てと削除が記録されます)。あわせて、このアカウントで"
                           "実行されるタスクを確認します。"),
    "todo.batch_right_fix": _m("Remove the right from the account, or document the account in the task_accounts "
                               "table of the task inventory through review.",
                               "アカウントから権利を削除するか、レビューを経てタスク台帳の task_accounts に記載します。"),
    "todo.task_account": _m("Use a service account without administrator rights elsewhere, or a gMSA; rotate the "
                            "stored password. An account the task may run as is documented in the task_accounts "
                            "table of the task inventory, through review.",
                            "他のホストで管理者権限を持たないサービスアカウントまたは gMSA に切り替え、保存された"
                            "パスワードを変更します。タスクの実行を認めるアカウントは、レビューを経てタスク台帳の "
                            "task_accounts に記載します。"),
    "todo.unparseable": _m("Preserve the file or event as is and inspect it by hand: a definition that does not "
                           "parse may have been tampered with.",
                           "ファイルやイベントをそのまま保全し、手作業で確認します。解析できない定義は改ざんされた"
                           "可能性があります。"),

    # ---------------------------------------------------------------- junit / console
    "junit.host_status": _m("verdict {verdict}: {reason}", "判定 {verdict}: {reason}"),
    "console.header": _m("taskguard drift report: {dir}", "taskguard 監査レポート: {dir}"),
    "console.hosts": _m("hosts {hosts} ({verdicts}) | tasks with findings {tasks} | audit gaps {gaps}",
                        "ホスト {hosts} 台({verdicts})| 指摘のあるタスク {tasks} 件 | 監査の欠落 {gaps} 件"),
    "console.more": _m("... {count} more in drift.html", "... ほか {count} 件は drift.html を参照"),
    "console.no_report": _m("no readable drift report at {path}: {error}", "{path} に読み取れる監査レポートがありません: {error}"),

    # ---------------------------------------------------------------- misc
    "misc.none": _m("none", "なし"),
    "misc.dash": _m("-", "-"),
    "misc.not_collected": _m("not collected", "未取得"),
    "misc.yes": _m("yes", "はい"),
    "misc.no": _m("no", "いいえ"),
    "misc.list_sep": _m(", ", "、"),
    "misc.host_level": _m("(host)", "(ホスト全体)"),
}

# Japanese title templates of the built-in finding codes (English: findings.CATALOGUE).
CODE_TITLES_JA = {
    "TG-C001": "タスク定義を収集できませんでした",
    "TG-C002": "タスク情報源 {source} を読み取れませんでした",
    "TG-C003": "タスク情報源 {source} の読み取りで {count} 件のエラー",
    "TG-C004": "タスク台帳が適用されていないため、すべてのタスクを台帳に未記載として報告しています",
    "TG-C005": "タスクイベントを収集できませんでした",
    "TG-C006": "{channel}: {problems}",
    "TG-C007": "イベントの収集が上限で打ち切られました(上限を超えるイベントがあります)",
    "TG-C008": "ホストに接続できず、監査していません",
    "TG-C009": "このホストの監査に失敗しました",
    "TG-C010": "イベントの収集で {count} 件のエラー",
    "TG-C011": "{error}",
    "TG-C012": "タスク台帳に {count} 件の問題があり、該当するエントリを無視しました",
    "TG-C013": "{error}",
    "TG-C014": "{count} 件のタスクについて台帳を参照できず、台帳に未記載として判定しました",
    "TG-C015": "Windows のバージョンが不明なため、すべての標準ベースラインと照合しました",
    "TG-C016": "{os_family} の標準ベースラインがないため、すべての標準ベースライン({families})と照合しました",
    "TG-C018": "{channel} ログが {time} に {user} によって消去されました: それ以前のタスクイベントは失われています",
    "TG-C017": "旧形式の at ジョブを確認していません: 証拠に Windows\\Tasks フォルダ(.job ファイル)がありません",
    "TG-U001": "タスク定義を解析できませんでした",
    "TG-U002": "イベントを解析できませんでした",
    "TG-U003": "イベント内のタスク定義を解析できませんでした",
    "TG-U004": "パスのないタスクを収集しました",
    "TG-D001": "台帳エントリと異なるタスク({fields})",
    "TG-D002": "タスクは存在しますが、台帳エントリの期限が切れています",
    "TG-D003": "台帳で必須のタスクが、読み取ったタスク情報源({sources})にありません",
    "TG-D004": "エントリで許可されていないアカウントがタスクを{actions}しました: {user}",
    "TG-D005": "タスク台帳に記載のないタスク",
    "TG-D006": "未確認の台帳エントリ({file}:{line})にのみ記載されています(レビュー待ち)",
    "TG-D007": "未確認の台帳エントリ({file}:{line})に一致しますが、重大度「高」以上の指摘は未確認エントリでは解消できません",
    "TG-D008": "台帳に記載の標準タスクが Windows のサービスまたはコンピューターアカウント({user})により{actions}されました",
    "TG-D010": ("登録したアカウントをエントリの allowed_registrants と照合できませんでした: "
                "{count} 件のイベント({actions})にアカウント名がなく、SID を示すセキュリティイベントもありません"
                "(「その他のオブジェクト アクセス イベント」(Other Object Access Events)を監査すると SID が記録されます)"),
    "TG-D009": "Windows のタスクが標準ベースラインと異なります({fields})。別の Windows ビルドや更新プログラムのタスクもこのように見えます",
    "TG-T001": "前回の監査以降に登録・削除されたタスク(イベントにのみ記録)",
    "TG-T002": "{time} に {user} がタスクを{actions}しましたが、読み取ったタスク情報源({sources})になく、削除イベントもありません",
    "TG-T003": "{time} に {user} がタスクを{actions}しました(イベントで確認)。現在の状態は未取得です",
    "TG-T004": "{time} に {user} がタスクを無効化しました",
    "TG-T005": "{time} に {user} がセキュリティ関連の Windows タスクを無効化しました",
    "TG-T006": "{time} に {user} が台帳に記載のないタスクを有効化しました",
    "TG-T007": "タスクの作成者 {author!r} が登録したアカウント({user})と一致しません",
    "TG-T008": "タスクの作成者欄が異常に長い({length} 文字)",
    "TG-S001": "隠蔽されたタスク: TaskCache の Tree キーからセキュリティ記述子(SD)が削除されています",
    "TG-S002": "隠蔽されたタスク: TaskCache の Tree キーの Index が 0 に設定されています",
    "TG-S003": "タスクファイルのない、レジストリ上のタスク",
    "TG-S004": "タスクスケジューラ API から見えないタスク",
    "TG-S005": "Tasks エントリのない TaskCache の Tree エントリ",
    "TG-S006": "Tree エントリのない TaskCache の Tasks エントリ",
    "TG-S007": "TaskCache のレジストリエントリがないタスクファイル",
    "TG-S008": "TaskCache 上のタスクパスがファイルと一致しません",
    "TG-S009": "TaskCache のハッシュがタスクファイルと一致しません",
    "TG-T009": "{time} に Windows のサービスまたはコンピューターアカウント({user})が Windows のタスクを{actions}しました(Windows 自身による定常的な保守)",
    "TG-T012": "{time} に {user}({actor_check})が Windows のタスクを{actions}しました(イベントで確認)。読み取ったイベントにタスクの定義がなく、タスクの情報源も読み取っていないため、Windows 標準のタスクかどうかは確認できませんでした",
    "TG-T010": ("{time} に Windows のサービスまたはコンピューターアカウント({user})がセキュリティ関連の Windows タスクを無効化しました。"
                "Windows 自身が行うこともあるため(Windows Update による自タスクの切り替えなど)、再び有効化されたか確認してください"),
    "TG-T011": "{time} に {user} がタスクを{actions}し、台帳エントリにない定義({fields})になりました(イベントで確認)",
    "TG-G001": "GPO {gpo_guid} の GPO タスク {name!r} がタスク台帳に記載されていません(実行内容 {command})",
    "TG-G002": "GPO {gpo_guid} の GPO タスク {name!r} が台帳エントリと異なります({fields})",
    "TG-G003": "GPO {gpo_guid} の即時タスク {name!r} が、次回のポリシー更新時に {command} を {run_as} として実行します",
    "TG-G004": "GPO {gpo_guid} の GPO タスク {name!r} が {where} のパスから {command} を SYSTEM として実行します",
    "TG-G005": "GPO {gpo_guid} の GPO タスク {name!r} が前回の監査以降に追加されました",
    "TG-G006": "GPO {gpo_guid} の GPO タスク {name!r} が前回の監査以降に変更されました",
    "TG-G007": "GPO {gpo_guid} の GPO タスク {name!r} が SYSVOL にパスワードを保存しています(cpassword、MS14-025)",
    "TG-G008": "GPO {gpo_guid} の GPO タスク {name!r} は存在しますが、台帳エントリの期限が切れています",
    "TG-G009": "GPO {gpo_guid} の GPO タスク {name!r} が前回の監査以降に SYSVOL から削除されました(実行内容 {command}、実行アカウント {run_as})",
    "TG-G010": "このドメインコントローラーで SYSVOL が見つからず、GPO タスクを監査していません",
    "TG-G011": "SYSVOL の {count} 個のファイルを読み取れず、そこにある GPO タスクを監査していません",
    "TG-G012": "GPO のスケジュールタスク基本設定 {source} を解析できませんでした: {error}",
    "TG-G013": "このホストには前回の GPO タスクの状態がありません(この状態ディレクトリでの初回監査): 前回の監査以降に追加・削除されたタスクは判定していません",
    "TG-G014": "前回の GPO タスクの状態を読み取れませんでした({error}): 前回の状態なしとして扱い、追加・削除とは判定していません",
    "TG-A001": "ローカル Administrators のメンバー {member} が管理者一覧に記載されていません",
    "TG-A002": "必須の管理者 {member} がローカル Administrators グループにいません",
    "TG-A003": "ローカル Administrators グループに孤立した SID {sid} があります(アカウントを解決できません)",
    "TG-A004": "無効にすべき組み込み Administrator {sid} が有効になっています",
    "TG-A005": "ローカル Administrators のメンバー {member} は期限切れのエントリ({file}:{line})にのみ記載されています",
    "TG-A010": "ローカル Administrators のメンバーを読み取れませんでした: {error}",
    "TG-A011": "ローカル Administrators グループの読み取りで {count} 件の問題",
    "TG-A012": "このホストに適用される管理者一覧がないため、すべてのメンバーを未記載として報告しています",
    "TG-A013": "組み込み Administrator が有効かどうかを読み取れませんでした",
    "TG-A014": "ドメインコントローラーの Administrators グループはドメインのもの(NTDS.dit 内)で、証跡の SAM ハイブにはないため、オフラインではメンバーを監査していません",
    "TG-A015": "{right} の保持者を読み取れませんでした: {error}",
    "TG-A016": "「バッチ ジョブとしてログオン」の保持者の読み取りで {count} 件の問題(保持者の一部が欠けている可能性があります)",
    "TG-A017": "必須の管理者 {member} を確認できませんでした: {reason}",
    "TG-A020": "タスク {task} が {account} のパスワードを保存しています(ログオンの種類 Password)。このアカウントは {hosts} のローカル管理者です",
    "TG-A021": "アカウント {account} が {count} 台のホスト({hosts})でタスクを実行しています",
    "TG-A022": "タスク {task} が {account} として最上位の特権(HighestAvailable)で実行されます(組み込みのサービスアカウントではありません)",
    "TG-A023": "{account} が「バッチ ジョブとしてログオン」(SeBatchLogonRight)を保持していますが、適用される administrators または task_accounts のエントリがありません",
    "TG-A024": "タスク {task} が、このホストで台帳に記載のないアカウント {account} として実行されます(適用される有効な task_accounts または administrators のエントリがありません)",
    "TG-L001": "ローカル管理者のパスワードが LAPS で管理されていません({detail})",
    "TG-L002": "直近の LAPS 処理が {time} に失敗しました: {error}",
    "TG-L003": "最後に LAPS 処理が成功したのは {days} 日前で、ポリシーのパスワード有効期間 {age} 日を超えています",
    "TG-L004": "LAPS がパスワードを管理していますが、{channel} に処理イベント(10004/10005)がありません",
    "TG-L010": "LAPS の状態を読み取れませんでした: {error}",
    "TG-L011": "LAPS のイベントを読み取れず、パスワードの最終更新日時が不明です({error})",
}

# Which guidance keys a kind gets (investigate, remediate); steps are filled with the card's values.
GUIDANCE = {
    "hidden": (("todo.export_registry", "todo.export_xml", "todo.hidden_compare", "todo.hash_binary",
                "todo.who_registered", "todo.runs", "todo.other_hosts"),
               ("todo.escalate", "todo.hidden_restore", "todo.delete_after")),
    "transient": (("todo.transient_events", "todo.transient_lateral", "todo.runs", "todo.other_hosts"),
                  ("todo.escalate",)),
    "registered": (("todo.export_xml", "todo.who_registered", "todo.hash_binary", "todo.runs"),
                   ("todo.disable", "todo.document")),
    "disabled": (("todo.disabled", "todo.who_registered"), ("todo.reenable",)),
    "enabled": (("todo.who_registered", "todo.export_xml", "todo.runs"), ("todo.disable", "todo.document")),
    "modified": (("todo.export_xml", "todo.owner", "todo.who_registered", "todo.hash_binary", "todo.runs"),
                 ("todo.disable", "todo.restore", "todo.update_entry")),
    "undocumented": (("todo.export_xml", "todo.who_registered", "todo.hash_binary", "todo.runs", "todo.other_hosts"),
                     ("todo.disable", "todo.document")),
    "author_mismatch": (("todo.export_xml", "todo.who_registered"), ("todo.disable", "todo.document")),
    "registered_by": (("todo.owner", "todo.who_registered", "todo.registrant"), ("todo.update_entry",)),
    "pending_review": ((), ("todo.review",)),
    "missing": (("todo.missing",), ("todo.missing_restore",)),
    "expired": ((), ("todo.expired",)),
    "unparseable": (("todo.unparseable",), ()),
    "coverage_gap": ((), ("todo.gap", "todo.gap_meaning")),
    "unreachable": ((), ("todo.unreachable",)),
    "failed": ((), ("todo.unreachable",)),
    "gpo_task": (("todo.gpo", "todo.other_hosts"), ("todo.gpo_fix",)),
    "local_admin": (("todo.admin",), ("todo.admin_fix",)),
    "laps": (("todo.laps",), ()),
    "task_account": (("todo.export_xml",), ("todo.task_account",)),
    "note": ((), ()),
}
# Findings whose subject is not a task although their kind is a task kind's: their own
# guidance, by (kind, code). TG-A023's subject is a right and a SID, no task to export.
CODE_GUIDANCE = {
    ("task_account", "TG-A023"): (("todo.batch_right",), ("todo.batch_right_fix",)),
}
# Kinds whose task is treated as an intrusion until shown otherwise (escalate, keep evidence).
SEVERE_SEVERITIES = ("critical", "high")


class Messages(object):
    """Looks up catalogue strings in one language (unknown language -> English)."""

    def __init__(self, language=None):
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key, **params):
        entry = MESSAGES.get(key)
        if entry is None:
            return key
        template = entry.get(self.language) or entry["en"]
        if not params:
            return template
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError, AttributeError):
            return template

    def has(self, key):
        return key in MESSAGES

    def label(self, group, value):
        """The label of an enumeration value (severity, kind, verdict...), the value itself when unknown."""
        key = "%s.%s" % (group, value)
        return self(key) if key in MESSAGES else str(value if value is not None else "-")

    @property
    def font_stack(self):
        return FONT_STACK[self.language]
