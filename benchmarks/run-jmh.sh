#!/usr/bin/env bash
# Runs the JMH benchmarks: benchmarks/run-jmh.sh [JMH options] [benchmark regex]
# e.g. benchmarks/run-jmh.sh -f 1 -wi 2 -i 3 -r 1s CastBenchmark
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if ! ls benchmarks/target/lowbit-benchmarks-*.jar >/dev/null 2>&1 || [ ! -d benchmarks/target/lib ]; then
  mvn -B -ntp -o -q -DskipTests package -pl benchmarks -am
fi
jar="$(ls benchmarks/target/lowbit-benchmarks-*.jar | head -n 1)"
exec java --add-modules jdk.incubator.vector -cp "$jar:benchmarks/target/lib/*" org.openjdk.jmh.Main "$@"
