#!/usr/bin/env bash
# Fills corpus/<target>/ (not committed) with the hand-picked seeds/ and every
# testdata/gotemplate/**/*.tpl. Run from anywhere before `cargo +nightly fuzz run`.
set -euo pipefail
cd "$(dirname "$0")"
testdata=../../../testdata/gotemplate
for target in gotemplate_parse gotemplate_render; do
    mkdir -p "corpus/$target"
    cp seeds/gotemplate_render/*.tpl "corpus/$target/"
    find "$testdata" -name '*.tpl' | while read -r f; do
        rel=${f#"$testdata"/}
        cp "$f" "corpus/$target/td_${rel//\//_}"
    done
done
