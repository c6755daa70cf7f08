#!/usr/bin/env bash
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# `make demo`: the main job (playbooks/drift.yml) on the bundled sample hosts
# (offline evidence folders under samples/, nothing connects anywhere), then
# where the reports are and a one-screen summary.
#
# The state directory (event bookmarks) starts empty on every demo run: with a
# kept one, a second run would no longer show the create-then-delete pair,
# because its events were already reported by the first.
#
# Extra ansible-playbook arguments: DEMO_ARGS (or arguments to this script), e.g.
# Japanese reports:  make demo DEMO_ARGS="-e taskguard_report_language=ja"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$root/.venv/bin
export PATH=$bin:$PATH
export ANSIBLE_CONFIG=${ANSIBLE_CONFIG:-$root/ansible.cfg}
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$root/collections}
export ANSIBLE_LOCAL_TEMP=${ANSIBLE_LOCAL_TEMP:-$root/.build/ansible-tmp}
export ANSIBLE_HOME=${ANSIBLE_HOME:-$root/.build/ansible-home}
reports=$root/reports
state=$root/.build/demo-state
rm -rf "$state"
mkdir -p "$reports" "$state"

# DEMO_ARGS is split on spaces on purpose (several -e options); quote nothing inside it.
# shellcheck disable=SC2086
"$bin/ansible-playbook" -i inventories/demo/hosts.yml playbooks/drift.yml \
  -e taskguard_report_dir="$reports" -e taskguard_state_dir="$state" ${DEMO_ARGS:-} "$@"

# The console summary in the language the reports were written in.
language=en
if [[ " ${DEMO_ARGS:-} $* " =~ taskguard_report_language=([a-z]+) ]]; then
  language=${BASH_REMATCH[1]}
fi
PYTHONPATH=$ANSIBLE_COLLECTIONS_PATH "$bin/python" -m \
  ansible_collections.taskguard.windows.plugins.plugin_utils.drift_reports.text "$reports" "$language"
