#!/usr/bin/env bash
# Runs on a GPU machine from the bundle made by benchmarks/gpu/make-bundle.sh (no JDK needed):
#   1. lowbit info                                  -> OUTDIR/info.log
#   2. lowbit validate --backend all test-vectors   -> OUTDIR/validate.log (CPU and CUDA backends)
#   3. lowbit gpu-bench --out OUTDIR/gpu-bench.md   -> OUTDIR/gpu-bench.md, OUTDIR/gpu-bench.log
# OUTDIR: the first argument, else $OUT if set, else ./gpu-results. Extra gpu-bench options:
# GPU_BENCH_ARGS (e.g. "--size-mb 512 --repeats 30"). Exit 0 only if every step passed and the
# CUDA backend was available; OUTDIR/summary.txt says which step failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
outdir="${1:-${OUT:-./gpu-results}}"
mkdir -p "$outdir" || { echo "run.sh: cannot create $outdir" >&2; exit 1; }
outdir="$(cd "$outdir" && pwd)"
java="$here/jre/bin/java"
[ -x "$java" ] || { echo "run.sh: $java missing: run this from a bundle made by make-bundle.sh" >&2; exit 1; }
cache="$(mktemp -d "${TMPDIR:-/tmp}/lowbit-javacpp.XXXXXX")"   # JavaCPP extracts the JNI library here
trap 'rm -rf "$cache"' EXIT

lowbit() {
    "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
        -Dorg.bytedeco.javacpp.cachedir="$cache" ${LOWBIT_JAVA_OPTS:-} -jar "$here/lowbit.jar" "$@"
}

summary="$outdir/summary.txt"
: > "$summary"
failed=0
step() {   # step NAME RC
    local status="ok"
    [ "$2" -eq 0 ] || { status="FAILED (exit $2)"; failed=1; }
    echo "$1: $status" | tee -a "$summary"
}

echo "== lowbit info" >&2
lowbit info 2>&1 | tee "$outdir/info.log"
step "info" "${PIPESTATUS[0]}"
if grep -q '^cuda: *available' "$outdir/info.log"; then
    echo "cuda backend: available" | tee -a "$summary"
else
    echo "cuda backend: UNAVAILABLE (see info.log): validate covers the CPU backends only" | tee -a "$summary"
    failed=1
fi

echo "== lowbit validate --backend all test-vectors" >&2
lowbit validate --backend all "$here/test-vectors" 2>&1 | tee "$outdir/validate.log"
step "validate" "${PIPESTATUS[0]}"

echo "== lowbit gpu-bench --out $outdir/gpu-bench.md ${GPU_BENCH_ARGS:-}" >&2
# progress (stderr) into the log; the table (stdout) is also in gpu-bench.md
lowbit gpu-bench --out "$outdir/gpu-bench.md" ${GPU_BENCH_ARGS:-} 2> >(tee "$outdir/gpu-bench.log" >&2)
step "gpu-bench" "$?"

echo "bundle commit: $(cat "$here/COMMIT" 2>/dev/null || echo unknown)" >> "$summary"
echo "results in $outdir" >&2
exit "$failed"
