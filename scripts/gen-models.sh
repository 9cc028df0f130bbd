#!/usr/bin/env bash
# Regenerates src/Skiff.Api's models, their JSON code, schema tables, resource table and definitions.json
# from the shared Kubernetes OpenAPI document. Run from anywhere; paths are relative to the repo root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
swagger="${SKIFF_SWAGGER:-$root/../shared/kubernetes-api/swagger.json}"
dotnet run --project "$root/tools/ModelGen" -- "$swagger" "$root/src/Skiff.Api"
