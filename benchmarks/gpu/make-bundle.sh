#!/usr/bin/env bash
# Builds lowbit with its CUDA library and packs a self-contained bundle for a GPU machine that
# has no JDK: bundle/ = jre/ (a jlink runtime) + lowbit.jar + lib/ + test-vectors/ + run.sh.
# Needs nvcc (the JNI library must be in the jar) and a JDK 17+ with jlink and jdeps.
# MVN_FLAGS: extra Maven flags (default -o, offline). Usage: benchmarks/gpu/make-bundle.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bundle="$root/bundle"
die() { echo "make-bundle: $*" >&2; exit 1; }

command -v nvcc >/dev/null || die "nvcc is not on PATH: the bundle needs the CUDA JNI library (see native/README.md)"
command -v jlink >/dev/null || die "jlink is not on PATH (a JDK 17+ is needed to build the bundle)"
command -v jdeps >/dev/null || die "jdeps is not on PATH"

echo "make-bundle: building (mvn package, tests skipped)..." >&2
(cd "$root" && mvn -B -ntp -q ${MVN_FLAGS--o} -DskipTests -Dlowbit.cuda=auto package -pl quant -am) >&2

jar="$root/quant/target/lowbit.jar"
lib="$root/quant/target/lib"
native_jar="$(ls "$lib"/lowbit-native-*.jar 2>/dev/null | head -n 1)"
[ -f "$jar" ] || die "$jar was not built"
[ -n "$native_jar" ] || die "no lowbit-native jar in $lib"
# The library must be in the jar, else the GPU machine would silently run on the CPU only.
unzip -l "$native_jar" | grep -q 'io/lowbit/cuda/linux-x86_64/libjnilowbitcuda\.so' \
    || die "$native_jar has no io/lowbit/cuda/linux-x86_64/libjnilowbitcuda.so (built with -Dlowbit.cuda=false? try mvn clean)"

# Modules: what lowbit needs at run time (Vector API, JavaCPP's Unsafe, logging/management used
# by JavaCPP) plus whatever jdeps finds the jars use.
found="$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps "$jar" "$lib"/*.jar 2>/dev/null)" \
    || die "jdeps failed on $jar and $lib"
modules="java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector${found:+,$found}"
echo "make-bundle: jlink modules $modules" >&2

rm -rf "$bundle"
mkdir -p "$bundle"
strip_native=()   # smaller libjvm.so where objcopy exists
command -v objcopy >/dev/null && strip_native=(--strip-native-debug-symbols=exclude-debuginfo-files)
jlink --add-modules "$modules" --strip-debug "${strip_native[@]}" --no-header-files --no-man-pages --compress=2 \
    --output "$bundle/jre"
cp "$jar" "$bundle/"
cp -r "$lib" "$bundle/lib"
cp -r "$root/test-vectors" "$bundle/test-vectors"
cp "$root/benchmarks/gpu/run.sh" "$bundle/run.sh"
chmod +x "$bundle/run.sh"
( cd "$root" && git describe --always --dirty 2>/dev/null || echo unknown ) > "$bundle/COMMIT"

size="$(du -sh "$bundle" | cut -f1)"
echo "make-bundle: $bundle ($size); on the GPU machine: bundle/run.sh [OUTDIR]" >&2
