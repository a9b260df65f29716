#!/usr/bin/env bash
# The CDNOW check of the lifetime-value models: the CDNOW sample as the PyPI package
# `lifetimes` ships it (its wheel fetched with pip, nothing installed), then
# `leadline bench clv`, which fits BG/NBD and Gamma-Gamma and compares them with the
# published parameters. Usage: bench/cdnow.sh [path to the leadline binary]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/leadline}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 -m pip download --quiet --disable-pip-version-check --no-deps --dest "$dir" "lifetimes==0.11.3"
python3 - "$dir" <<'PY'
import sys, zipfile, glob
wheel = glob.glob(sys.argv[1] + "/*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    with open(sys.argv[1] + "/CDNOW_sample.txt", "wb") as out:
        out.write(z.read("lifetimes/datasets/CDNOW_sample.txt"))
PY
"$bin" bench clv --cdnow "$dir/CDNOW_sample.txt"
