#!/usr/bin/env bash
# Starts the Update Service emulator in the background (`npm run emulator -- …`) and waits for its
# "listening on <url>" line; prints the URL. The emulator keeps running after this script exits (a
# runner ends it with the job; the jest test kills its process group).
#
# usage: start-emulator.sh <log file> [emulator options: --port n --api-key k --tls-cert f --tls-key f …]
set -euo pipefail

log=${1:?usage: start-emulator.sh <log file> [emulator options]}
shift
cd "$(dirname "$0")/../.."

npm run -s emulator -- "$@" >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  if line=$(grep -m 1 -E '^listening on ' "$log"); then
    echo "${line#listening on }"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the emulator exited before it was listening:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "the emulator printed no 'listening on' line within 60 s:" >&2
cat "$log" >&2
kill "$pid"
exit 1
