#!/usr/bin/env bash
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Runs playbooks/selftest.yml (as the collection playbook taskguard.windows.selftest)
# against the first Windows host of the ansible-test inventory: refusal of a group,
# a check-mode run (nothing registered), a real run; asserts the reports are written
# and the canary is gone. The verdicts themselves are the point of the run: they are
# printed and kept in $OUTPUT_DIR/selftest/, not asserted (a "fail" is a finding
# about the platform, not about this target).
set -eux

host="$(ansible -i "${INVENTORY_PATH}" windows --list-hosts | sed -n '2p' | tr -d '[:space:]')"
test -n "${host}"
out="${OUTPUT_DIR}/selftest"
mkdir -p "${out}"
run() { ansible-playbook -i "${INVENTORY_PATH}" taskguard.windows.selftest -e "taskguard_report_dir=${out}" "$@"; }

# A group name is refused before any host is contacted.
if run -e taskguard_selftest_hosts=windows; then
    echo "the self-test accepted a group" >&2
    exit 1
fi

# Check mode: reports written, nothing registered (the playbook exits 2 when an
# assumption fails; the files are what counts here).
run -e "taskguard_selftest_hosts=${host}" --check || true
python -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["check_mode"] and not d["canary"]["registered"], d["canary"]; print(d["summary"])' \
    "${out}/selftest-${host}.json"

# The real run.
run -e "taskguard_selftest_hosts=${host}" || true
python -c 'import json, sys; d = json.load(open(sys.argv[1])); assert not d["check_mode"] and d["canary"]["registered"], d["canary"]; assert not d["canary_left_on_host"], d["canary"]; print(d["summary"]); [print(a["id"], a["status"], a["detail"]) for a in d["assumptions"]]' \
    "${out}/selftest-${host}.json"
test -s "${out}/selftest-${host}.md"
