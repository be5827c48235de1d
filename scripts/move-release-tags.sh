#!/usr/bin/env bash
# Moves the major and minor tags (v1, v1.2) to the release tag v1.2.3 and pushes them to origin: what
# users pinned to @v1 or @v1.2 run from then on. release.yml runs it after its checks; the release test
# runs it against a scratch repository.
# usage: move-release-tags.sh vX.Y.Z
set -euo pipefail

tag=${1:?usage: move-release-tags.sh vX.Y.Z}
if [[ ! $tag =~ ^v([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
  echo "move-release-tags.sh: '$tag' is not vX.Y.Z" >&2
  exit 2
fi
major=v${BASH_REMATCH[1]}
minor=$major.${BASH_REMATCH[2]}
commit=$(git rev-parse --verify --quiet "refs/tags/$tag^{commit}") || {
  echo "move-release-tags.sh: there is no tag $tag" >&2
  exit 1
}
git tag --force "$major" "$commit" >/dev/null
git tag --force "$minor" "$commit" >/dev/null
git push --quiet --force origin "refs/tags/$major" "refs/tags/$minor"
echo "moved $major and $minor to $tag ($commit)"
