#!/usr/bin/env bash
# Regenerates Skiff.sln from every project in the tree: the way to resolve a merge conflict in the solution file.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
rm -f Skiff.sln
dotnet new sln --format sln -n Skiff >/dev/null
find src tools tests bench -name '*.csproj' -not -path '*/obj/*' -not -path '*/bin/*' | sort | xargs dotnet sln Skiff.sln add >/dev/null
