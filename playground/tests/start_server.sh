# Sourced by the playground's tests: starts "$bin" on a free localhost port in the background
# (log in $dir/log), stops it and removes $dir on exit, and sets $url to the URL it printed.
dir=$(mktemp -d)
"$bin" --port 0 > "$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; sleep 0.5; rm -rf "$dir" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://[^ ]*' "$dir/log" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "$(basename "$0"): the server printed no URL"; cat "$dir/log"; exit 1; }
