#!/usr/bin/env bash
# Build the partial plotly.js bundle the owner pages load (lazily) and its precompressed copies.
#
#   bash scripts/plotly/build.sh
#
# Needs node + npm (the npm registry); nothing of it is needed to run the app, which serves
# the committed files. Output: static/vendor/plotly-bar-scatter-4.1.1.min.js (+ .gz, .br).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../static/vendor/plotly-bar-scatter-4.1.1.min.js"
cd "$here"
npm ci --no-audit --no-fund --ignore-scripts
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2018 --define:global=window \
  --legal-comments=none --log-level=warning --outfile="$out" \
  --banner:js="/* plotly.js v4.1.1, partial bundle (core + bar) built by scripts/plotly/build.sh; MIT licence */"
rm -f "${out%.js}.css"   # maplibre's stylesheet, pulled in by plotly's registry; no map is drawn
node -e '
const fs = require("fs"), zlib = require("zlib"), f = process.argv[1], src = fs.readFileSync(f);
fs.writeFileSync(f + ".gz", zlib.gzipSync(src, {level: 9}));
fs.writeFileSync(f + ".br", zlib.brotliCompressSync(src, {params: {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: src.length}}));
' "$out"
ls -l "$out" "$out.gz" "$out.br"
