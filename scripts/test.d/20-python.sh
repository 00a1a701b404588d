#!/usr/bin/env bash
# The pytest-standin plugin, as a user gets it: build the wheel (scripts/build-wheel), install
# it into a fresh venv holding only the wheel, pytest and the vendors' Python clients (the
# pins in scripts/pip.d/pytest.txt and clients.txt, maturin left out), and run the plugin's
# own tests there on two xdist workers. Fails when a test fails, when no test ran, or when
# the tests would not be using the installed wheel and its binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)

scripts/build-wheel
wheel=$(ls target/wheels/pytest_standin-*.whl)
built=$(date +%s)

venv=target/python-test-venv
rm -rf "$venv"
# Without pip of its own when scripts/setup's .venv has one to lend (--python: no ensurepip
# run, and the venv ends up holding only what the tests need).
if [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; then
  python3 -m venv --without-pip "$venv"
  pip=(.venv/bin/python -m pip --python "$venv/bin/python")
else
  python3 -m venv "$venv"
  pip=("$venv/bin/python" -m pip)
fi
grep -hv -e '^maturin' -e '^#' -e '^$' scripts/pip.d/pytest.txt scripts/pip.d/clients.txt \
  > "$venv/requirements.txt"
"${pip[@]}" install -q --disable-pip-version-check "$wheel" -r "$venv/requirements.txt"

# The tests must import the installed package and find the wheel's binary, not a checkout's.
(cd "$venv" && bin/python - <<'PY'
import os, sys, pytest_standin
here = os.path.realpath(sys.prefix)
assert os.path.realpath(pytest_standin.__file__).startswith(here), pytest_standin.__file__
found = os.path.realpath(pytest_standin.find_binary())
assert found == os.path.join(here, "bin", "standin"), found
print(f"20-python: plugin {pytest_standin.__file__}, binary {found}")
PY
)

env -u STANDIN_BINARY "$venv/bin/python" -m pytest -n 2 -p no:cacheprovider python/tests \
  --junitxml="$venv/junit.xml" && status=0 || status=$?
if [ "$status" -eq 5 ]; then
  echo "20-python: pytest collected no tests" >&2
  exit 1
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
ran=$(grep -o 'tests="[0-9]*"' "$venv/junit.xml" | head -1 | tr -dc 0-9)
if [ "${ran:-0}" -eq 0 ]; then
  echo "20-python: no test ran" >&2
  exit 1
fi
echo "20-python: $ran tests; wheel $(( built - started )) s, venv and tests $(( $(date +%s) - built )) s"
