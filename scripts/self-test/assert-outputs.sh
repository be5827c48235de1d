#!/usr/bin/env bash
# Checks the outputs of one self-test step (.github/workflows/self-test.yml; __tests__/repo/self-test.test.ts
# runs the same steps with the bundled action and this same script). The outputs arrive as environment
# variables named like the action's outputs in upper case (OUTCOME, FIRMWARE_IMAGE_ID, …): the workflow
# maps them through env:, never pasting ${{ }} into a script.
#
# usage: assert-outputs.sh upload|rerun|dry-run|conflict
#   IMAGE_PATH      the image the step was given: its size and SHA-256 must be the outputs'
#   EXPECTED_NAME   the name the step was given
#   FIRST_IMAGE_ID  rerun: the upload step's firmware_image_id, which a re-run must reuse
#   STEP_OUTCOME    conflict: the step's outcome (steps.<id>.outcome), which must be failure
set -euo pipefail

step=${1:?usage: assert-outputs.sh upload|rerun|dry-run|conflict}
failures=0

fail() {
  echo "✖ $step: $*" >&2
  failures=$((failures + 1))
}
expect_eq() { # what actual expected
  if [ "$2" = "$3" ]; then echo "✔ $1 = '$3'"; else fail "$1 is '$2', expected '$3'"; fi
}
expect_match() { # what actual extended-regex
  if [[ $2 =~ $3 ]]; then echo "✔ $1 matches $3"; else fail "$1 is '$2', expected to match $3"; fi
}
expect_image_facts() {
  local size sha256
  size=$(wc -c <"${IMAGE_PATH:?IMAGE_PATH is not set}" | tr -d ' ')
  sha256=$(sha256sum "$IMAGE_PATH" | cut -d ' ' -f 1)
  expect_eq datafile_size "${DATAFILE_SIZE:-}" "$size"
  expect_eq datafile_checksum "${DATAFILE_CHECKSUM:-}" "$sha256"
  expect_eq name "${NAME:-}" "${EXPECTED_NAME:?EXPECTED_NAME is not set}"
}

ID='^[0-9a-f]{32}$'
case $step in
  upload)
    expect_eq outcome "${OUTCOME:-}" uploaded
    expect_image_facts
    expect_match firmware_image_id "${FIRMWARE_IMAGE_ID:-}" "$ID"
    expect_match upload_job_id "${UPLOAD_JOB_ID:-}" "$ID"
    expect_match datafile_url "${DATAFILE_URL:-}" '^https?://[^[:space:]]+$'
    ;;
  rerun)
    expect_eq outcome "${OUTCOME:-}" reused
    expect_image_facts
    expect_eq firmware_image_id "${FIRMWARE_IMAGE_ID:-}" "${FIRST_IMAGE_ID:?FIRST_IMAGE_ID is not set}"
    expect_eq upload_job_id "${UPLOAD_JOB_ID:-}" '' # nothing was uploaded
    expect_match datafile_url "${DATAFILE_URL:-}" '^https?://[^[:space:]]+$'
    ;;
  dry-run)
    expect_eq outcome "${OUTCOME:-}" dry-run
    expect_image_facts
    # A dry run publishes nothing, so it has no ids or URLs to give.
    expect_eq firmware_image_id "${FIRMWARE_IMAGE_ID:-}" ''
    expect_eq upload_job_id "${UPLOAD_JOB_ID:-}" ''
    expect_eq datafile_url "${DATAFILE_URL:-}" ''
    ;;
  conflict)
    expect_eq 'step outcome' "${STEP_OUTCOME:-}" failure
    # A failed step sets no outputs: nothing a later step could mistake for a published image.
    expect_eq outcome "${OUTCOME:-}" ''
    expect_eq firmware_image_id "${FIRMWARE_IMAGE_ID:-}" ''
    expect_eq datafile_url "${DATAFILE_URL:-}" ''
    ;;
  *)
    echo "assert-outputs.sh: unknown step '$step' (upload, rerun, dry-run or conflict)" >&2
    exit 2
    ;;
esac

if [ "$failures" -gt 0 ]; then
  echo "$step: $failures check(s) failed" >&2
  exit 1
fi
echo "$step: all checks passed"
