#!/usr/bin/env bash
# dist/ must be exactly what `npm run bundle` makes from src/ (a JavaScript action runs the committed
# bundle, not the source). Rebuilds it in place and fails, listing the differences, when it changed.
# Used by .ci/run, check-dist.yml and release.yml.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run -s bundle >/dev/null
if [ -n "$(git status --porcelain -- dist)" ]; then
  git status --porcelain -- dist
  git --no-pager diff --stat -- dist
  echo "dist/ is stale: run 'npm run bundle' and commit dist/." >&2
  exit 1
fi
echo "dist/ is up to date"
