#!/usr/bin/env bash
# Runs on the GPU machine, from the bundle made by make-bundle.sh. Writes every log and the
# benchmark table to OUTDIR (default ./gpu-results). Exit status: 1 if validation failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
outdir="${1:-$PWD/gpu-results}"
mkdir -p "$outdir"
java=("$here/jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      -Dorg.bytedeco.javacpp.cachedir="$outdir/.javacpp" -jar "$here/lib/lowbit.jar")

{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1; } | tee "$outdir/machine.txt"
"${java[@]}" info 2>&1 | tee "$outdir/info.txt"
"${java[@]}" validate --backend all "$here/test-vectors" > "$outdir/validate.txt" 2>&1
status=$?
tail -n 40 "$outdir/validate.txt"
"${java[@]}" gpu-bench --out "$outdir/gpu-bench.md" 2>&1 | tee "$outdir/gpu-bench.log"
exit $status
