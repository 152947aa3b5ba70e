#!/usr/bin/env bash
# Fills corpus/<target>/ (not committed): every YAML file under testdata/helm (values
# files, Chart.yaml, templates as text) for helm_yaml11, the same plus each document of the
# rendered goldens for helm_yaml11_simple, seeds/helm_strvals/ for helm_strvals. Run before
# `cargo +nightly fuzz run`.
set -euo pipefail
cd "$(dirname "$0")"
testdata=../../../testdata/helm
mkdir -p corpus/helm_yaml11 corpus/helm_yaml11_simple corpus/helm_strvals
find "$testdata" -name 'values*.yaml' -o -name 'Chart.yaml' | while read -r f; do
    rel=${f#"$testdata"/}
    cp "$f" "corpus/helm_yaml11/td_${rel//\//_}"
done
cp seeds/helm_strvals/* corpus/helm_strvals/
cp corpus/helm_yaml11/* corpus/helm_yaml11_simple/
find "$testdata" -name 'expected.yaml' | while read -r f; do
    rel=${f#"$testdata"/}
    awk -v out="corpus/helm_yaml11_simple/doc_${rel//\//_}" \
        '/^---/ { n++; next } { print > (out "_" n) }' "$f"
done
