#!/usr/bin/env bash
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# Runs ansible-test on this checkout. ansible-test insists on running from
# .../ansible_collections/<namespace>/<name> and resolves symlinks (getcwd), so
# we copy the checkout's files (tracked and untracked, minus .gitignore'd ones
# and the checkout's own collections/ symlink) into .build/ first. It also bootstraps pip into its venvs with a script it downloads
# from a host that offline machines cannot reach; it looks for a cached copy
# first, so we put a small stand-in there that installs with the pip wheel
# bundled in Python's ensurepip (PyPI itself is reachable). A private HOME
# keeps that cache, and ansible-test's venvs, out of the user's home.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${VENV:-$root/.venv}
build=$root/.build
# A fresh copy per run: two runs at once must not pull the tree from under each other.
mkdir -p "$build/ansible-test"
work=$(mktemp -d "$build/ansible-test/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/ansible_collections/taskguard/windows
mkdir -p "$tree"
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
   | grep -zv '^collections/ansible_collections/' \
   | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$tree"
# ansible-test lists a collection's files through git: give the copy its own index.
(cd "$tree" && git init -q && git add -A >/dev/null 2>&1)

export HOME=$build/home
reqs=$(ls "$venv"/lib/python*/site-packages/ansible_test/_internal/python_requirements.py)
pipver=$(sed -n "s/.*pip='\([0-9.]*\)'.*/\1/p" "$reqs" | head -n 1)
cache=$HOME/.ansible/test/cache/get_pip_${pipver//./_}.py
if [ ! -f "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  cat > "$cache" <<'PY'
# Stand-in for get-pip.py (written by tools/ansible-test.sh): install pip and the
# packages asked for with the pip wheel that ships inside ensurepip.
import glob, os, subprocess, sys, ensurepip
wheel = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))[0]
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, os.path.join(wheel, "pip"), "install"] + args))
PY
fi
cd "$tree"
PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" "$@"
