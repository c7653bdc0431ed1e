#!/usr/bin/env bash
# Generates a token stream with softmax4j's Sampler from a synthetic logits source, on every backend this
# machine can run, and prints tokens per second. Args: [vocab] [tokens] (default 128256 2000).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package
java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -cp "target/classes:$(cat target/classpath.txt)" example.SamplingDemo "$@"
