#!/usr/bin/env bash
# Copies the tracepoint format files the synthetic world offers from a live tracefs into
# probes/tracepoints/<category>/<event>/format (byte-exact) and writes the sorted index
# probes/tracepoints/index.txt ("category:event" per line, C-locale order).
# Run as root on a Linux machine: scripts/import-tracefs.sh [TRACEFS] (default /sys/kernel/tracing).
# It replaces the whole probes/tracepoints tree; review the diff before committing.
set -euo pipefail

tracefs="${1:-/sys/kernel/tracing}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/probes/tracepoints"

# The categories the synthetic kernel models. Missing ones are reported, not fatal
# (random, for instance, is absent from some kernels).
categories=(raw_syscalls syscalls sched block signal task irq timer sock skb net writeback
  tcp filemap random workqueue kmem)

if [ ! -r "$tracefs/events/sched/sched_switch/format" ]; then
  echo "import-tracefs: no readable tracefs at $tracefs (mount -t tracefs nodev $tracefs)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
for cat in "${categories[@]}"; do
  if [ ! -d "$tracefs/events/$cat" ]; then
    echo "import-tracefs: category $cat not present on this kernel, skipped" >&2
    continue
  fi
  for dir in "$tracefs/events/$cat"/*/; do
    ev="$(basename "$dir")"
    [ -r "$dir/format" ] || continue
    mkdir -p "$out/$cat/$ev"
    cat "$dir/format" > "$out/$cat/$ev/format"
  done
done

(cd "$out" && find . -mindepth 3 -maxdepth 3 -name format | sed -e 's|^\./||' -e 's|/format$||' -e 's|/|:|' \
  | LC_ALL=C sort > index.txt)
echo "import-tracefs: $(wc -l < "$out/index.txt") tracepoints from $tracefs ($(uname -r))" >&2
