#!/usr/bin/env bash
# Make Debian's Chromium and a Chinese font available to the browser tests.
#
# As root, a missing /usr/bin/chromium (or CJK font) is installed with apt-get. Without
# root nothing is installed: the browser tests then skip themselves, and we say so loudly
# here so nobody mistakes a skipped run for a green one. Never `playwright install`: it
# downloads a browser build, which is neither wanted nor possible here.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
need=()
[[ -x $CHROMIUM ]] || need+=(chromium)
if [[ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]] \
        && ! fc-list 2>/dev/null | grep -qi -e 'wenquanyi' -e 'noto sans cjk'; then
    need+=(fonts-wqy-microhei)
fi
[[ ${#need[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "[chromium] installing ${need[*]} with apt-get (browser tests need them)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >/dev/null
    exit 0
fi

if [[ ! -x $CHROMIUM ]]; then
    cat >&2 <<'EOF'
################################################################################
#  BROWSER TESTS WILL BE SKIPPED: /usr/bin/chromium is missing and we are not   #
#  root, so it cannot be installed. Install it with:                            #
#      sudo apt-get install chromium fonts-wqy-microhei                         #
################################################################################
EOF
else
    echo "[chromium] no CJK font found: screenshots will show boxes for Chinese" \
         "(sudo apt-get install fonts-wqy-microhei)" >&2
fi
