#!/usr/bin/env bash
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Runs the test suite, one step or all of them, and prints a summary table.
# Every step runs even when an earlier one failed, so one run shows everything
# that is wrong; the exit status is non-zero when any step failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
bin=$root/.venv/bin
# The same environment the Makefile exports, so the script also runs on its own.
export PATH=$bin:$PATH
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$root/collections}
export ANSIBLE_CONFIG=${ANSIBLE_CONFIG:-$root/ansible.cfg}
export ANSIBLE_LOCAL_TEMP=${ANSIBLE_LOCAL_TEMP:-$root/.build/ansible-tmp}
export ANSIBLE_HOME=${ANSIBLE_HOME:-$root/.build/ansible-home}
py=$bin/python
mkdir -p .build/logs "$ANSIBLE_LOCAL_TEMP" "$ANSIBLE_HOME"
summary=()
failed=0

step() {  # step NAME COMMAND...
  local name=$1; shift
  local log=.build/logs/$name.log start=$SECONDS rc
  echo "==> $name: $*"
  NO_COLOR=1 "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  if [ "$rc" -eq 0 ]; then
    summary+=("$(printf '%-10s PASS %4ss  %s' "$name" "$took" "$(grep -v '^\s*$' "$log" | tail -n 1 | sed 's/\x1b\[[0-9;]*m//g; s/\x1b\]8;;[^\x1b]*\x1b\\\\//g' | cut -c1-90)")")
  else
    failed=1
    summary+=("$(printf '%-10s FAIL %4ss  (exit %s, log: .build/logs/%s.log)' "$name" "$took" "$rc" "$name")")
  fi
}

ps_modules() { git ls-files --cached --others --exclude-standard 'plugins/modules/*.ps1'; }

run_unit() { step unit "$py" -m pytest -q -p no:cacheprovider; }

# drift.html in headless Chromium (tests/browser); skipped with a reason when
# chromium/chromedriver are not installed (.ci/run installs them).
run_browser() { step browser "$py" -m pytest -q -p no:cacheprovider -rs tests/browser; }

run_sanity() {
  local py_ver excludes=()
  py_ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  # No pwsh here: validate-modules cannot read a PowerShell module's argspec and
  # would crash, so it runs without the .ps1 files; their doc sidecars are still
  # validated. pslint skips itself. tools/pscheck.py covers PowerShell syntax.
  while read -r f; do [ -n "$f" ] && excludes+=(--exclude "$f"); done < <(ps_modules)
  step sanity tools/ansible-test.sh sanity --local --python "$py_ver" --skip-test validate-modules
  step validate tools/ansible-test.sh sanity --local --python "$py_ver" --test validate-modules "${excludes[@]}"
}

# The repo's own task inventory must validate, as a vendor merge request's would.
run_inventory() { step inventory "$bin/ansible-playbook" playbooks/validate.yml; }

run_lint() { step lint "$bin/ansible-lint" --offline --profile production; }

run_pscheck() { step pscheck "$py" tools/pscheck.py; }

run_molecule() {
  local scenarios
  scenarios=$(find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml 2>/dev/null \
               | awk -F/ '{print $3}' | grep -v '^default$' | sort || true)
  if [ -z "$scenarios" ]; then
    summary+=("$(printf '%-10s SKIP       no molecule scenarios' molecule)"); return
  fi
  local s
  for s in $scenarios; do
    step "molecule-$s" bash -c "cd extensions && PATH=$bin:\$PATH $bin/molecule test -s $s"
  done
}

run_docs() {
  step docs "$bin/antsibull-docs" lint-collection-docs --plugin-docs --skip-rstcheck .
  step changelog "$bin/antsibull-changelog" lint
}

case "${1:-all}" in
  unit) run_unit ;;
  browser) run_browser ;;
  sanity) run_sanity ;;
  lint) run_lint ;;
  inventory) run_inventory ;;
  pscheck) run_pscheck ;;
  molecule) run_molecule ;;
  docs) run_docs ;;
  all) run_unit; run_browser; run_pscheck; run_inventory; run_sanity; run_lint; run_molecule; run_docs ;;
  *) echo "unknown step: $1" >&2; exit 2 ;;
esac

echo
echo "taskguard.windows test summary"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then echo "RESULT: FAILED"; exit 1; fi
echo "RESULT: all steps passed"
