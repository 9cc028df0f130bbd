#!/usr/bin/env bash
# Publishes the shipped skiff: one self-contained, ahead-of-time compiled (Native AOT) binary, at
# out/skiff/skiff (or the folder given as $1). install.sh installs it, scripts/test.sh runs the
# end-to-end tests against it and bench/ measures it. Native AOT takes a few minutes on 2 cores;
# the JIT build from `dotnet build` (src/Skiff/bin/...) stays the fast developer loop.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-out/skiff}
mkdir -p "$dest"
# stdout carries only the binary's path (callers capture it); a failed publish shows its errors on stderr.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
publish() {
  dotnet publish src/Skiff/Skiff.csproj -c Release -r linux-x64 -p:PublishAot=true -nologo -v q -clp:ErrorsOnly \
    -o "$dest" >"$log" 2>&1
}
if ! publish; then
  # ILC has been seen to fail once on a fresh machine with "Code generation failed for method ..." in a method
  # of the framework, and to pass at once when run again (2026-12-07). That failure alone is retried, once.
  if grep -q "Code generation failed for method" "$log"; then
    echo "publish.sh: ILC failed to generate code; trying once more" >&2
    grep -m1 "Code generation failed" "$log" >&2 || true
    publish || { cat "$log" >&2; echo "publish.sh: dotnet publish failed" >&2; exit 1; }
  else
    cat "$log" >&2
    echo "publish.sh: dotnet publish failed" >&2
    exit 1
  fi
fi
# The native debug symbols and the libraries' pdbs are not part of the product.
rm -f "$dest"/*.dbg "$dest"/*.pdb
test -x "$dest/skiff"
echo "$dest/skiff"
