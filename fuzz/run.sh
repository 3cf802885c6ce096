#!/usr/bin/env bash
# Coverage-guided fuzzing of GenSharp's safetensors-header and IDX parsers with afl++ and SharpFuzz.
#   fuzz/run.sh safetensors|idx [SECONDS]   (default 600)
# Needs: apt-get install -y afl++; dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0
# Output: fuzz/out/<reader>/ (afl++ findings: default/crashes, default/hangs, default/fuzzer_stats).
set -euo pipefail
reader=${1:?usage: fuzz/run.sh safetensors|idx [SECONDS]}
seconds=${2:-600}
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/bin"
export PATH="$PATH:$HOME/.dotnet/tools"

if [ ! -f "$bin/.instrumented" ]; then
  dotnet publish "$here/GenSharp.Fuzz/GenSharp.Fuzz.csproj" -c Release -o "$bin" --nologo -v q
  sharpfuzz "$bin/GenSharp.dll"   # inserts afl++ edge coverage into the library under test only
  touch "$bin/.instrumented"
fi

corpus="$here/corpus/$reader"
[ -d "$corpus" ] || { echo "no seed corpus in $corpus" >&2; exit 2; }
out="$here/out/$reader"
mkdir -p "$out"
# .NET start-up is slow and its binary is not afl-instrumented itself (SharpFuzz reports coverage through the shared map).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1
export DOTNET_TieredPGO=0 OMP_NUM_THREADS=1
exec afl-fuzz -i "$corpus" -o "$out" -V "$seconds" -t 5000 -m none -- dotnet "$bin/GenSharp.Fuzz.dll" "$reader"
