#!/usr/bin/env bash
# An independent client of the upload-jobs flow, following the service's guide with plain curl:
# create a job, post the chunks one at a time (Content-MD5 = base64 of the raw MD5), complete it with a
# zero-length chunk, read the job back, GET the image and compare datafile_checksum with sha256sum.
# Also the benchmark's "plain sequential curl loop": keep it simple and sequential.
#
# usage: scripts/curl-upload.sh <base-url> <api-key> <file> <name> [chunk-bytes]   (default 5 MiB chunks)
set -euo pipefail

if [ $# -lt 4 ]; then
  echo "usage: $0 <base-url> <api-key> <file> <name> [chunk-bytes]" >&2
  exit 2
fi
base_url=${1%/}
api_key=$2
file=$3
name=$4
chunk_bytes=${5:-5242880}
jobs_url="$base_url/v3/firmware-images/upload-jobs"

[ -f "$file" ] || { echo "error: <file> '$file' is not a regular file" >&2; exit 2; }
size=$(wc -c < "$file" | tr -d ' ')
[ "$size" -gt 0 ] || { echo "error: <file> '$file' is empty: the service refuses an upload without data" >&2; exit 2; }
[[ "$chunk_bytes" =~ ^[0-9]+$ ]] && [ "$chunk_bytes" -gt 0 ] \
  || { echo "error: [chunk-bytes] '$chunk_bytes' must be a positive number of bytes" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The key goes to curl through a header file, so it never shows in the process list.
umask 077
printf 'Authorization: Bearer %s\n' "$api_key" > "$work/auth"

api() { curl -sS --fail -H @"$work/auth" "$@"; }
# The value of a string ("...") or number field of a flat JSON object, without needing jq.
json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

job=$(api -X POST -H 'Content-Type: application/json' \
  --data-binary "{\"name\":\"$(json_escape "$name")\"}" "$jobs_url")
job_id=$(printf '%s' "$job" | json_field id)
echo "upload job: $job_id"

chunk_count=$(( (size + chunk_bytes - 1) / chunk_bytes ))
for (( index = 0; index < chunk_count; index++ )); do
  dd if="$file" of="$work/chunk" bs="$chunk_bytes" skip="$index" count=1 iflag=fullblock status=none
  md5=$(openssl md5 -binary < "$work/chunk" | base64)
  # -T streams the file with its Content-Length; "Expect:" skips the 100-continue round trip.
  api -o /dev/null -X POST -T "$work/chunk" -H 'Expect:' -H 'Content-Type: binary/octet-stream' \
    -H "Content-MD5: $md5" "$jobs_url/$job_id/chunks"
  echo "chunk $((index + 1))/$chunk_count sent"
done

# The zero-length chunk completes the job.
api -o /dev/null -X POST --data-binary '' -H 'Content-Type: binary/octet-stream' \
  -H 'Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==' "$jobs_url/$job_id/chunks"

image_id=$(api "$jobs_url/$job_id" | json_field firmware_image_id)
image=$(api "$base_url/v3/firmware-images/$image_id")
remote_checksum=$(printf '%s' "$image" | json_field datafile_checksum)
remote_size=$(printf '%s' "$image" | json_field datafile_size)
local_checksum=$(sha256sum "$file" | cut -d' ' -f1)

echo "firmware image: $image_id"
if [ "$remote_checksum" = "$local_checksum" ] && [ "$remote_size" = "$size" ]; then
  echo "checksum: match ($local_checksum, $size bytes)"
else
  echo "checksum: MISMATCH (service $remote_checksum, $remote_size bytes; file $local_checksum, $size bytes)" >&2
  exit 1
fi
