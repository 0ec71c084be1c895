#!/usr/bin/env bash
# One worker's drain against its in-process ceiling, as 1 session x all threads and as the default
# layout (sessions of 1 thread), alternating so both see the same machine: `npm run bench:sessions`.
# Writes bench/sessions-ab.md. ROUNDS (3), IMAGES (2000) and MODEL (mobilenet-v2) override.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
images=${IMAGES:-2000}
model=${MODEL:-mobilenet-v2}
cores=$(nproc)
out=bench/sessions-ab.md
log=$(mktemp)
trap 'rm -f "$log"' EXIT
npm run build --silent
rows=()
for round in $(seq 1 "$rounds"); do
  for sessions in 1 "$cores"; do
    threads=$((cores / sessions))
    INFERENCE_SESSIONS=$sessions INTRA_OP_THREADS=$threads node apps/harness/dist/main.js bench --model "$model" --images "$images" \
      --workers 1 --bracket --quiet 0.3 --quiet-wait 30 --no-write >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
    line=$(grep -E '/job auto' "$log" | head -1)
    rate=$(sed -E 's/.*images: [^(]*\(([0-9.]+) img\/s\).*/\1/' <<<"$line")
    ceiling=$(sed -E 's/.*in-process ([0-9.]+) img\/s.*/\1/' <<<"$line")
    efficiency=$(sed -E 's/.*efficiency ([0-9.]+).*/\1/' <<<"$line")
    perjob=$(sed -E 's/^ *([0-9]+)\/job.*/\1/' <<<"$line")
    echo "round $round: $sessions x $threads: $rate img/s, ceiling $ceiling, efficiency $efficiency ($perjob/job)"
    rows+=("| $round | $sessions × $threads | $perjob | $rate | $ceiling | $efficiency |")
  done
done
{
  echo "# One worker: sessions × threads, alternating ($(date -u +%F))"
  echo
  echo "- **Machine:** $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores, $(node -v) (host \`$(hostname)\`)"
  echo "- **Command:** \`ROUNDS=$rounds IMAGES=$images MODEL=$model npm run bench:sessions\`: each row one \`npm run bench -- --model $model --images $images --workers 1 --bracket\` with the layout set, the two layouts alternating."
  echo
  echo "| Round | Sessions × threads | Images/job (auto) | Drain img/s | In-process img/s (bracketed) | Efficiency |"
  echo "| ---: | --- | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Efficiency = the drain's rate ÷ its in-process ceiling (the same classifier layout in one process, no queue, measured just before and just after the drain)."
} >"$out"
echo "written: $out"
