#!/usr/bin/env bash
# Kill soak: trains a toy DDPM and a small image DDPM (tiny U-Net with dropout, samples and an FD curve every few steps)
# while killing the process with SIGKILL at random moments, resuming after every kill until the run completes; then
# compares the final checkpoint's tensors byte for byte with an uninterrupted run of the same command, and checks
# metrics.jsonl and eval_curve.jsonl (same steps, no duplicates, same values apart from timings).
#
# Usage: bench/kill-soak.sh [KILLS]        (default 20 kills per run)
# A kill lands a random 0..SOAK_MAX_DELAY seconds after the (re)started process has logged its first metrics row, so that
# it falls in training (or in a callback or a checkpoint write) however slow the start-up is on a loaded machine.
# Env:   SOAK_DIR (default /tmp/gensharp-kill-soak), SOAK_MAX_DELAY (seconds, default 4),
#        SOAK_SEED (bash RANDOM seed, default 1), GENSHARP (the launcher, default a private copy of ./gensharp's build),
#        SOAK_RUNS (default "toy-ddpm image-ddpm")
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kills_wanted="${1:-20}"
dir="${SOAK_DIR:-/tmp/gensharp-kill-soak}"
max_delay="${SOAK_MAX_DELAY:-4}"
RANDOM="${SOAK_SEED:-1}"
gensharp="${GENSHARP:-$here/gensharp}"
rm -rf "$dir" && mkdir -p "$dir"
"$gensharp" info > /dev/null  # builds once, so that no kill lands in a build
if [ -z "${GENSHARP:-}" ]; then
  # a private copy of the CLI: source edits during the soak must not make the launcher rebuild between kills
  cp -r "$here/src/GenSharp.Cli/bin/Release/net10.0/linux-x64" "$dir/bin"
  printf '#!/bin/sh\nexec dotnet "%s/bin/GenSharp.Cli.dll" "$@"\n' "$dir" > "$dir/gensharp" && chmod +x "$dir/gensharp"
  gensharp="$dir/gensharp"
fi

toy=(--data toy:8gaussians --steps 2000 --batch 64 --hidden 32 --layers 2 --timesteps 100 --checkpoint-every 50
     --sample-every 500 --log-every 20 --threads 1 --quiet)
image=(--data fashion-mnist --steps 100 --batch 16 --ch 8 --mults 1,2 --attn none --dropout 0.1 --timesteps 100
       --sample-every 10 --eval-every 20 --eval-n 40 --sampler-steps 10 --final-eval-n 0
       --checkpoint-every 10 --log-every 5 --threads 1 --quiet)

# soak NAME ARGS...: uninterrupted reference run, then the killed run; prints one table row
soak() {
  local name="$1"; shift
  local runs="$dir/$name" log="$dir/$name.log"
  mkdir -p "$runs"
  local t0=$SECONDS
  "$gensharp" train ddpm --runs "$runs" --name ref "$@" >> "$log" 2>&1
  local ref_s=$((SECONDS - t0)) kills=0 resumes=0 finished=0 t1=$SECONDS
  while [ "$finished" = 0 ]; do
    local mode=()
    if [ -f "$runs/soak/config.json" ]; then mode=(--resume); resumes=$((resumes + 1)); else rm -rf "$runs/soak"; fi
    if [ "${#mode[@]}" = 0 ]; then
      "$gensharp" train ddpm --runs "$runs" --name soak "$@" >> "$log" 2>&1 &
    else
      "$gensharp" train ddpm --runs "$runs" --name soak --resume --threads 1 --quiet >> "$log" 2>&1 &
    fi
    local pid=$!
    if [ "$kills" -lt "$kills_wanted" ]; then
      local tenths=$(( RANDOM % (max_delay * 10 + 1) )) size
      size=$(stat -c %s "$runs/soak/metrics.jsonl" 2> /dev/null || echo 0)
      while kill -0 "$pid" 2> /dev/null && [ "$(stat -c %s "$runs/soak/metrics.jsonl" 2> /dev/null || echo 0)" = "$size" ]; do sleep 0.1; done
      local waited=0
      while [ "$waited" -lt "$tenths" ] && kill -0 "$pid" 2> /dev/null; do sleep 0.1; waited=$((waited + 1)); done
      if kill -0 "$pid" 2> /dev/null; then
        # the launcher execs dotnet, so $pid is the training process itself
        kill -9 "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
        kills=$((kills + 1))
        local latest; latest=$(ls "$runs/soak/checkpoints" 2> /dev/null | tail -1)
        echo "$name: kill $kills $((tenths / 10)).$((tenths % 10)) s after training resumed (last checkpoint: $latest)" >> "$log"
        continue
      fi
    fi
    if wait "$pid"; then finished=1; else echo "$name: run failed, see $log" >&2; exit 1; fi
  done
  local soak_s=$((SECONDS - t1))
  read -r weights metrics evals < <(python3 "$here/bench/kill-soak-compare.py" "$runs/ref" "$runs/soak" 2>> "$log")
  printf '| %-11s | %5d | %7d | %-17s | %-10s | %-8s | %5d s | %6d s |\n' \
    "$name" "$kills" "$resumes" "$weights" "$metrics" "$evals" "$ref_s" "$soak_s"
}

echo "kill soak: $kills_wanted kills per run, 0-${max_delay} s after the first new metrics row," \
  "$(git -C "$here" rev-parse --short HEAD), $(date -u +%FT%TZ)"
printf '| %-11s | %5s | %7s | %-17s | %-10s | %-8s | %7s | %8s |\n' run kills resumes "weights identical" "metrics ok" "eval ok" "ref" "soak"
printf '|-------------|-------|---------|-------------------|------------|----------|---------|----------|\n'
for run in ${SOAK_RUNS:-toy-ddpm image-ddpm}; do
  case "$run" in
    toy-ddpm) soak toy-ddpm "${toy[@]}" ;;
    image-ddpm) soak image-ddpm "${image[@]}" ;;
    *) echo "unknown run $run (toy-ddpm or image-ddpm)" >&2; exit 2 ;;
  esac
done
