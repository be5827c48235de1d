#!/usr/bin/env bash
# Writes the self-test's two images into <dir>: firmware.bin (three 5 MiB chunks, the last one short)
# and other.bin (different bytes of the same size, for the conflict under firmware.bin's name).
set -euo pipefail

dir=${1:?usage: make-images.sh <dir>}
mkdir -p "$dir"
size=$((11 * 1024 * 1024 + 7))
head -c "$size" /dev/urandom >"$dir/firmware.bin"
head -c "$size" /dev/urandom >"$dir/other.bin"
echo "made $dir/firmware.bin and $dir/other.bin ($size bytes each)"
