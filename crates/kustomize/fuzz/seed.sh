#!/usr/bin/env bash
# Fills corpus/<target>/ (not committed) from testdata/kustomize. Run before
# `cargo +nightly fuzz run`.
#   kustomize_build: each case (without charts) as one input: the build target's
#     kustomization first, then every other file after a `#@ PATH` line.
#   kustomize_smp: every pair (resource document, strategic merge patch document) of the
#     smp-*/psm-*/overlay* cases, as `RESOURCE\n---\nPATCH`, plus seeds/kustomize_smp/.
set -euo pipefail
cd "$(dirname "$0")"
testdata=$(cd ../../../testdata/kustomize && pwd)
mkdir -p corpus/kustomize_build corpus/kustomize_smp
for case in "$testdata"/*/; do
    case=${case%/}
    name=$(basename "$case")
    [[ $name == helm-* ]] && continue
    target=.
    [[ -f $case/target ]] && target=$(cat "$case/target")
    out=corpus/kustomize_build/td_$name
    kfile=
    for k in kustomization.yaml kustomization.yml Kustomization; do
        [[ -f $case/$target/$k ]] && kfile=$target/$k && break
    done
    [[ -z $kfile ]] && continue
    kfile=${kfile#./}
    if [[ $kfile == kustomization.yaml ]]; then
        cat "$case/$kfile" > "$out"
    else
        { echo "#@ $kfile"; cat "$case/$kfile"; } > "$out"
    fi
    (cd "$case" && find . -type f | sed 's|^\./||' | sort) | while read -r f; do
        case $f in
            "$kfile" | expected.yaml | expected-error.txt | flags | target) continue ;;
        esac
        grep -qI . "$case/$f" 2>/dev/null || [[ ! -s $case/$f ]] || continue  # skip binary
        { echo "#@ $f"; cat "$case/$f"; [[ -z $(tail -c1 "$case/$f") ]] || echo; } >> "$out"
    done
done
cp seeds/kustomize_smp/* corpus/kustomize_smp/
