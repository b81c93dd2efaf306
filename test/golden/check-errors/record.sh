#!/usr/bin/env bash
# Records how bpftrace 0.23 reports each program of this folder: <name>.bpftrace-0.23.err
# (stderr of `bpftrace --dry-run`, without the RLIMIT_MEMLOCK warning, with the file name
# shown as `stdin`). The checker's own output is <name>.err, written by the test with
# UPDATE_GOLDEN=1. Run from anywhere: test/golden/check-errors/record.sh [name…]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bpftrace="${BPFTRACE:-/opt/bpftrace-0.23/bpftrace}"
cd "$here"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then for f in *.bt; do names+=("${f%.bt}"); done; fi
for name in "${names[@]}"; do
  flags=()
  params=()
  # Programs of features bpftrace 0.23 does not have say so: "noReference": true.
  if [ -f "$name.json" ] && grep -q '"noReference": true' "$name.json"; then
    rm -f "$name.bpftrace-0.23.err"
    continue
  fi
  if [ -f "$name.json" ]; then
    if grep -q '"unsafe": true' "$name.json"; then flags+=(--unsafe); fi
    mapfile -t params < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1])).get("positional", [])))' "$name.json" | sed '/^$/d')
  fi
  out="$("$bpftrace" --dry-run "${flags[@]}" "$name.bt" "${params[@]}" 2>&1 >/dev/null | grep -v 'RLIMIT_MEMLOCK' | grep -v '^Attaching' | sed "s|^$name.bt:|stdin:|" || true)"
  # A syntax error means bpftrace 0.23 predates the feature: no reference for that program.
  if [ -n "$out" ] && ! grep -q 'ERROR: syntax error' <<<"$out"; then
    printf '%s\n' "$out" > "$name.bpftrace-0.23.err"
  else
    rm -f "$name.bpftrace-0.23.err"
  fi
done
