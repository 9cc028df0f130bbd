#!/usr/bin/env bash
# Runs every test: unit tests of each project and the end-to-end tests, which start real
# `skiff server` processes and drive them with the real kubectl. Prints one closing line
# "N passed, N failed, N skipped" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/install-deps.sh || exit 1

echo "== build"
if ! dotnet build Skiff.sln -c Release -nologo -clp:ErrorsOnly -v q; then
  echo "0 passed, 1 failed"
  echo "build failed" >&2
  exit 1
fi

# The end-to-end and integration tests run the binary that ships: Native AOT, as install.sh installs it.
echo "== publish (Native AOT)"
if ! bin=$(./scripts/publish.sh out/skiff); then
  echo "0 passed, 1 failed"
  echo "publishing the Native AOT binary failed" >&2
  exit 1
fi
export SKIFF_BIN="$PWD/$bin"

# Images for the node tests (busybox, pause), imported through the air-gap dir: no registry needed.
echo "== test images"
if ! ./scripts/build-test-images.sh; then
  echo "0 passed, 1 failed"
  echo "building the test images failed" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for proj in tests/*/*.csproj; do
  [ -f "$proj" ] || continue
  echo "== test $(basename "$proj" .csproj)"
  dotnet test "$proj" -c Release --no-build -nologo --logger "console;verbosity=minimal" 2>&1 | tee -a "$log" | grep -vE '^\s*$' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done

# Sum the runners' summary lines: "Passed!  - Failed: 0, Passed: 49, Skipped: 0, Total: 49 ..."
read -r passed failed skipped < <(grep -E '(Passed|Failed)!  - Failed:' "$log" | awk -F'[:,]' '
  { f += $2; p += $4; s += $6 } END { printf "%d %d %d\n", p, f, s }')
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
