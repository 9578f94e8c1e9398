#!/usr/bin/env bash
# Packages everything a GPU machine needs to prove the CUDA backend, into bundle/ (git-ignored):
#   bundle/jre/          a jlink Java runtime (GPU machines may have CUDA but no JDK)
#   bundle/lib/          lowbit.jar + its libraries, the JNI library inside lowbit-native (sm_80/sm_90 + PTX)
#   bundle/test-vectors/ the project's validation vectors (with the shared anchors)
#   bundle/run.sh        runs: lowbit info, lowbit validate --backend all, the GPU benchmarks
# Usage (repo root): benchmarks/gpu/make-bundle.sh   then, on the GPU machine: bundle/run.sh OUTDIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/bundle"
command -v nvcc >/dev/null || { echo "make-bundle: nvcc not found: the bundle needs the CUDA JNI library" >&2; exit 2; }

echo "make-bundle: building (tests skipped)..." >&2
(cd "$root" && mvn -q -B -ntp -DskipTests package)
jni=$(unzip -l "$root/native/target/lowbit-native-"*.jar | grep -c 'libjni.*\.so' || true)
[ "$jni" -ge 1 ] || { echo "make-bundle: lowbit-native jar holds no JNI library" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/lib"
echo "make-bundle: jlink runtime..." >&2
jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector,java.sql \
      --strip-debug --no-man-pages --no-header-files --compress=2 --output "$out/jre" 2>/dev/null \
  || jlink --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector,java.sql \
      --strip-debug --no-man-pages --no-header-files --output "$out/jre"
cp "$root/quant/target/lowbit.jar" "$out/lib/"
cp "$root/quant/target/lib/"*.jar "$out/lib/"
cp -r "$root/test-vectors" "$out/test-vectors"
cp "$root/benchmarks/gpu/run.sh" "$out/run.sh"
chmod +x "$out/run.sh"
du -sh "$out" >&2
echo "make-bundle: ready in $out" >&2
