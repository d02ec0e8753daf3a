#!/usr/bin/env bash
# Headless chromium opens the playground, trains a few steps and steps backward through the
# whole tape (the page's ?autotest script); the rendered DOM is checked and screenshots are
# saved. Usage: browser_test.sh path/to/tapegrad-playground SCREENSHOT_DIR [MIN_UPDATES_PER_S]
# Exit 77 (CTest: skipped) when chromium is missing: bash scripts/setup.sh chromium
set -euo pipefail
bin=$1
shots=$2
min_rate=${3:-10}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIPPED: chromium is not installed (bash scripts/setup.sh chromium)"
  exit 77
fi
mkdir -p "$shots"
source "$(dirname "$0")/start_server.sh"

# The flags this machine needs (no sandbox as root, no network beyond localhost); a fresh
# profile each time.
run_chromium() {
  rm -rf "$dir/profile"
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$dir/profile" --window-size=1400,2000 --hide-scrollbars \
    --virtual-time-budget=60000 "$@" 2>>"$dir/chromium.log"
}

fail() { echo "FAIL: $1"; exit 1; }
run_chromium --dump-dom "${url}?autotest=1" > "$dir/dom.html"
dom="$dir/dom.html"
grep -q 'data-autotest="done"' "$dom" || { grep -o 'data-autotest="[^"]*"' "$dom"; grep -o '<div id="message"[^<]*<' "$dom"; fail "the page's script did not finish"; }
events=$(grep -o 'data-events="[0-9]*"' "$dom" | grep -o '[0-9]*')
cursor=$(grep -o 'data-cursor="[0-9]*"' "$dom" | grep -o '[0-9]*')
step=$(grep -o 'data-step="[0-9]*"' "$dom" | grep -o '[0-9]*')
echo "page trained to step $step, stepped backward through $cursor of $events tape nodes"
[ "$events" -gt 5 ] && [ "$cursor" = "$events" ] || fail "backward not stepped to the end"
[ "$step" -ge 100 ] || fail "training did not run"
count() { grep -o "$1" "$dom" | wc -l; }
[ "$(count 'class="node op done')" = "$events" ] || fail "every op node is marked done"
[ "$(count 'class="node parameter')" = 6 ] || fail "six parameter nodes (3 Linear layers)"
grep -q '0\.weight' "$dom" || fail "parameters named by module"
grep -q 'class="loss-autograd">\[' "$dom" || fail "autograd's dL/dŷ beside the loss"
grep -q 'dL/dŷ = (ŷ − y) / (ŷ(1 − ŷ)) / n' "$dom" || fail "hand BCE gradient"
grep -q 'Backward is done' "$dom" || fail "final step message"
[ "$(count 'class="weight"')" = 88 ] || fail "2-8-8-1 network: 16 + 64 + 8 weight lines"
[ "$(count "class=\"loss\" data-name=")" = 6 ] || fail "six losses in the gallery"
grep -q 'class="curve-train"' "$dom" || fail "loss curve"
grep -q 'id="message" role="alert"></div>' "$dom" || fail "an error message is shown"

# Screenshots: mid-way through the backward pass (4 nodes run), and at the end; regression.
run_chromium --screenshot="$shots/playground.png" "${url}?autotest=1&backward_steps=4" >/dev/null
run_chromium --screenshot="$shots/playground-end.png" "${url}?autotest=1" >/dev/null
run_chromium --screenshot="$shots/playground-regression.png" \
  "${url}?autotest=1&dataset=regression&hidden=6&backward_steps=2" >/dev/null
# Cross-entropy, then MSE on the same data and seed: the first run's curve stays, dashed.
run_chromium --dump-dom "${url}?autotest=1&loss=bce&then_loss=mse&updates=40" > "$dir/dom2.html"
grep -q 'class="curve-previous"' "$dir/dom2.html" && grep -q 'previous run (bce, adam)' "$dir/dom2.html" \
  || fail "the previous run's loss curve after switching the loss"
run_chromium --screenshot="$shots/playground-compare.png" "${url}?autotest=1&loss=bce&then_loss=mse&updates=40" >/dev/null
for f in playground playground-end playground-regression playground-compare; do
  [ -s "$shots/$f.png" ] || fail "no screenshot $f.png"
done
# The live update rate, in real time (the DevTools protocol, from Node.js's WebSocket client):
# at least 10 updates a second for the default network, with a screenshot while playing.
if command -v node >/dev/null && node --experimental-websocket -e 'WebSocket' 2>/dev/null; then
  rm -rf "$dir/profile" && mkdir "$dir/profile"
  timeout 120 node --experimental-websocket --no-warnings "$(dirname "$0")/live_rate.mjs" \
    "$browser" "$url" "$dir/profile" "$shots/playground-live.png" "$min_rate" || fail "live update rate"
else
  echo "live update rate not measured: needs Node.js >= 20.10 (node --experimental-websocket)"
fi
echo "screenshots in $shots"
kill $pid
echo "playground in chromium: all checks passed"
