#!/usr/bin/env bash
# Records the golden corpus test/golden/programs/NAME.bt → NAME.out (stdout, byte for byte)
# and NAME.json ({args, params, exitCode, recordedWith, stderr?}) from a real bpftrace.
# A developer tool: run as root where bpftrace is installed; never run by tests or CI.
# Usage: scripts/record-golden.sh [NAME...]   (default: every program; BPFTRACE=path to override)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/test/golden/programs"
bpftrace="${BPFTRACE:-/opt/bpftrace-0.23/bpftrace}"

if [ ! -x "$bpftrace" ]; then
  echo "record-golden: no bpftrace at $bpftrace (set BPFTRACE=...)" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "record-golden: bpftrace needs root" >&2
  exit 1
fi
version="$("$bpftrace" --version | head -n1)"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$dir"/*.bt; do names+=("$(basename "$f" .bt)"); done
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for name in "${names[@]}"; do
  prog="$dir/$name.bt"
  side="$dir/$name.json"
  if [ ! -f "$prog" ]; then
    echo "record-golden: $prog does not exist" >&2
    exit 1
  fi
  # The sidecar holds the inputs (args before the program file, params after it); keep them.
  args=()
  params=()
  if [ -f "$side" ]; then
    mapfile -t args < <(jq -r '.args // [] | .[]' "$side")
    mapfile -t params < <(jq -r '.params // [] | .[]' "$side")
  fi
  # Run from the corpus folder with a relative file name so messages name NAME.bt only;
  # TZ fixed so that anything printing local time is reproducible in its format.
  set +e
  (cd "$dir" && TZ=UTC timeout 30 "$bpftrace" "${args[@]}" "$name.bt" "${params[@]}" \
    >"$tmp/out" 2>"$tmp/err")
  rc=$?
  set -e
  # 0.23 warns about RLIMIT_MEMLOCK on every run; that line is about this machine, not the program.
  grep -v 'RLIMIT_MEMLOCK' "$tmp/err" >"$tmp/err.kept" || true
  cp "$tmp/out" "$dir/$name.out"
  jq -n --argjson args "$(printf '%s\n' "${args[@]}" | jq -R . | jq -s 'map(select(. != ""))')" \
    --argjson params "$(printf '%s\n' "${params[@]}" | jq -R . | jq -s 'map(select(. != ""))')" \
    --argjson rc "$rc" --arg version "$version" --rawfile err "$tmp/err.kept" \
    '{args: $args, params: $params, exitCode: $rc, recordedWith: $version}
     + (if $err == "" then {} else {stderr: $err} end)' >"$side"
  echo "recorded $name (exit $rc)"
done
