#!/usr/bin/env bash
# GenSharp's reference U-Net DDPM training step side by side with the PyTorch peer, in one run.
# Runs `gensharp bench unet-step --json` and the peer's ddpm_step.py alternately for several rounds,
# both with the same thread count, and prints one JSON line: every round's medians, the median of
# the round medians for each side, the ratio GenSharp/PyTorch and its spread over rounds (noise).
#
# Usage: bench/unet-vs-peer.sh [ROUNDS]            (default 3)
# Environment overrides:
#   PEER_DIR  the peer's folder             (default: ../shared/bench/peer, relative to this repository)
#   PYTHON    a Python with torch            (default: /usr/bin/python3, Debian's python3-torch)
#   THREADS   threads for both sides         (default: 2)
#   BATCH STEPS WARMUP CH                    (defaults: 64 20 3 32, the peer's)
#   PRECISION fp32 or bf16                   (default: fp32). bf16 runs `gensharp bench unet-step --precision bf16`
#             (bfloat16 working copy, fp32 masters) against the peer's unchanged ddpm_step.py with its U-Net's
#             forward under torch.autocast("cpu", dtype=torch.bfloat16), through bench/peer_autocast_bf16.py
#             (which says what it changes: GroupNorm stays fp32 there, PyTorch 1.13 cannot mix types in it)
#   GENSHARP_ARGS  extra flags for gensharp bench unet-step
#   GENSHARP_ENV   extra environment for gensharp, e.g. GENSHARP_ENV=GOMP_SPINCOUNT=300000 to give GenSharp
#             libgomp's default waiting (spin 300,000 iterations, then sleep: what the peer does as installed)
#             instead of the passive waiting it sets for itself
#   PEER_ENV  extra environment for the peer, e.g. PEER_ENV=OMP_WAIT_POLICY=PASSIVE to give PyTorch the
#             OpenMP waiting policy GenSharp sets for itself (see src/GenSharp/Runtime/OpenMpWaitPolicy.cs)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
peer_dir="${PEER_DIR:-$here/../shared/bench/peer}"
python="${PYTHON:-/usr/bin/python3}"
precision="${PRECISION:-fp32}"
case "$precision" in
  fp32) peer=("$peer_dir/ddpm_step.py") ;;
  bf16) peer=("$here/bench/peer_autocast_bf16.py" "$peer_dir/ddpm_step.py") ;;
  *) echo "error: PRECISION=$precision: use fp32 or bf16" >&2; exit 2 ;;
esac
threads="${THREADS:-2}" batch="${BATCH:-64}" steps="${STEPS:-20}" warmup="${WARMUP:-3}" ch="${CH:-32}"
[ -f "$peer_dir/ddpm_step.py" ] || { echo "error: no ddpm_step.py in $peer_dir; set PEER_DIR to the peer's folder" >&2; exit 2; }
"$python" -c "import torch" 2>/dev/null || { echo "error: $python has no torch; set PYTHON to a Python with torch (Debian: apt-get install python3-torch)" >&2; exit 2; }
"$here/gensharp" info > /dev/null # build once, outside the timed runs

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for ((r = 1; r <= rounds; r++)); do
  echo "round $r/$rounds: gensharp" >&2
  g=$(env ${GENSHARP_ENV:-} "$here/gensharp" bench unet-step --json --threads "$threads" --batch "$batch" --steps "$steps" --warmup "$warmup" --ch "$ch" --precision "$precision" ${GENSHARP_ARGS:-} 2>/dev/null | tail -n 1)
  echo "round $r/$rounds: pytorch" >&2
  p=$(env OMP_NUM_THREADS="$threads" ${PEER_ENV:-} "$python" "${peer[@]}" --threads "$threads" --batch "$batch" --steps "$steps" --warmup "$warmup" --ch "$ch" | tail -n 1)
  printf '%s\t%s\n' "$g" "$p" >> "$results"
done

"$python" - "$results" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "${PEER_ENV:-}" "${GENSHARP_ENV:-}" <<'PY'
import json, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
g = [json.loads(a) for a, _ in rows]
p = [json.loads(b) for _, b in rows]
gm = [x["median_step_s"] for x in g]
pm = [x["median_step_s"] for x in p]
ratios = [a / b for a, b in zip(gm, pm)]
print(json.dumps({
    "bench": "unet-vs-peer",
    "rounds": len(rows),
    "batch": g[0]["batch"], "threads": g[0]["threads"],
    "precision": g[0].get("precision", "fp32"), "peer_precision": p[0].get("precision", "fp32"),
    "params_gensharp": g[0]["params"], "params_peer": p[0]["params"],
    "peer": p[0].get("peer"), "peer_env": sys.argv[4], "gensharp_env": sys.argv[5],
    "gensharp_median_step_s": statistics.median(gm),
    "pytorch_median_step_s": statistics.median(pm),
    "ratio_gensharp_over_pytorch": statistics.median(ratios),
    "ratio_per_round": [round(r, 3) for r in ratios],
    "gensharp_round_medians_s": [round(x, 4) for x in gm],
    "pytorch_round_medians_s": [round(x, 4) for x in pm],
    "gensharp_gflops": round(g[0]["gflop_per_step"] / statistics.median(gm), 2),
    "cores": int(sys.argv[2]), "loadavg_at_end": sys.argv[3],
}))
PY
