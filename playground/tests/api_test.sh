#!/usr/bin/env bash
# Starts tapegrad-playground on a free localhost port, drives its HTTP API with curl (create a
# run, train, fetch the view, trace a whole backward, bad requests), checks the JSON with
# python3, and stops it. Usage: api_test.sh path/to/tapegrad-playground [MIN_UPDATES_PER_S]
set -euo pipefail
bin=$1
min_rate=${2:-10}
for tool in curl python3; do
  command -v $tool >/dev/null || { echo "api_test: $tool is needed (apt-get install $tool)"; exit 1; }
done
source "$(dirname "$0")/start_server.sh"
echo "server at $url"

# request METHOD PATH EXPECTED_STATUS: the body goes to $dir/body
request() {
  local status
  local data=(); [ "$1" = POST ] && data=(--data '')
  status=$(curl -s -o "$dir/body" -w '%{http_code}' -X "$1" "${data[@]}" --max-time 20 "$url${2#/}")
  if [ "$status" != "$3" ]; then
    echo "FAIL: $1 $2 answered $status, expected $3: $(head -c 300 "$dir/body")"
    exit 1
  fi
}
# check PYTHON_EXPRESSION: evaluated with j = the last body's JSON
check() {
  python3 - "$dir/body" "$1" <<'PY' || { echo "FAIL: $2"; head -c 400 "$dir/body"; echo; exit 1; }
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

request GET / 200
grep -q '<title>tapegrad playground</title>' "$dir/body" || { echo "FAIL: page"; exit 1; }
request GET /app.js 200
request GET /style.css 200
request GET /gallery.svg 200
[ "$(grep -c "class='loss'" "$dir/body")" = 6 ] || { echo "FAIL: gallery has not 6 losses"; exit 1; }
request GET /api/gallery 200
check 'len(j) == 6 and all(len(c["loss"]) == len(c["derivative"]) for c in j)' "gallery JSON"
# MSE's autograd derivative is 2(p - 1): at p = -1 it is -4.
check 'abs(j[0]["derivative"][0] + 4) < 1e-9' "MSE derivative by autograd"

# A run: spirals, the default network; train 50 steps; the loss falls.
request POST "/api/runs?dataset=spirals&hidden=8,8&loss=bce&lr=0.03" 201
check 'j["id"] >= 1 and j["step"] == 0 and len(j["train"]["y"]) == 210 and len(j["test"]["y"]) == 90' "create"
check 'len(j["view"]["output"]) == 40 * 40 and len(j["view"]["neurons"]) == 2' "view"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$dir/body")
first=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["train_loss"])' "$dir/body")
request POST "/api/runs/$id/train?steps=200" 200
check "j['step'] == 200 and j['train_loss'] < $first and 'view' not in j" "training lowers the loss"
request POST "/api/runs/$id/train?steps=5&view=1" 200
check 'len(j["view"]["layers"]) == 3 and len(j["view"]["layers"][0]["weight"]) == 16' "train with view"
request GET "/api/runs/$id" 200
check 'j["config"]["hidden"] == "8,8" and j["step"] == 205' "run state"

# One traced backward on one sample: every event names a node of the graph; the gradients
# reaching the parameters equal their final accumulated values; hand BCE gradient = autograd's.
request POST "/api/runs/$id/backward?sample=3" 200
check 'len(j["events"]) == sum(n["kind"] == "op" for n in j["nodes"])' "one event per op node"
check 'j["events"][0]["node"] == len(j["nodes"]) - 1' "backward starts at the loss"
check 'all(0 <= i["to"] < len(j["nodes"]) for e in j["events"] for i in e["inputs"])' "event inputs"
check '{"x", "y"} <= {n["label"] for n in j["nodes"] if n["kind"] == "constant"} and all("value" in n for n in j["nodes"] if n["kind"] == "constant")' "constants: names, small ones' values"
check 'sorted(n["label"] for n in j["nodes"] if n["kind"] == "parameter") == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]' "parameters by module name"
check 'all(n["grad"] == [i["acc"] for e in j["events"] for i in e["inputs"] if i["to"] == k and "acc" in i][-1] for k, n in enumerate(j["nodes"]) if n["kind"] == "parameter")' "accumulated = .grad()"
check 'j["loss"]["max_difference"] < 1e-4 and j["loss"]["hand_formula"].startswith("dL/dŷ = (ŷ − y)")' "hand BCE gradient"
# The next batch: fan-in shows up where a node feeds two consumers? At least the batch is 16.
request POST "/api/runs/$id/backward" 200
check 'len(j["samples"]) == 16' "backward on the next batch"
request GET "/api/runs/$id" 200
check 'j["step"] == 205' "backward does not train"

# L2 weight decay is a penalty in the graph: each parameter feeds its layer and the penalty, and
# backward sums the two (fan-in); the parameter's gradient is the sum of both contributions.
request POST "/api/runs?dataset=moons&hidden=4&l2=0.01" 201
lid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$dir/body")
request POST "/api/runs/$lid/backward?sample=0" 200
check 'all(max(i.get("count", 0) for e in j["events"] for i in e["inputs"] if i["to"] == k) == 2 for k, n in enumerate(j["nodes"]) if n["kind"] == "parameter")' "fan-in at every parameter"
check '"objective" in j["loss"] and j["loss"]["objective"] > j["loss"]["value"]' "objective = loss + penalty"

# Regression with MSE: the hand gradient 2(ŷ - y)/n.
request POST "/api/runs?dataset=regression&hidden=4&loss=mse&optimizer=sgd&lr=0.1" 201
rid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$dir/body")
request POST "/api/runs/$rid/train?steps=300" 200
check 'j["test_loss"] < 0.1' "the line y = 3x + 2 is learnt"
request POST "/api/runs/$rid/backward?sample=0" 200
check 'j["loss"]["max_difference"] < 1e-5' "hand MSE gradient"

# Bad requests: 4xx with a message, and the server keeps serving.
bad() {
  request "$1" "$2" "$3"
  check '"error" in j and len(j["error"]) > 5' "error message for $2"
}
bad POST "/api/runs?dataset=banana" 400
bad POST "/api/runs?lr=abc" 400
bad POST "/api/runs?lr=-1" 400
bad POST "/api/runs?lr=nan" 400
bad POST "/api/runs?hidden=8,,8" 400
bad POST "/api/runs?hidden=8.5" 400
bad POST "/api/runs?batch=0" 400
bad POST "/api/runs?samples=100000000" 400
bad POST "/api/runs?loss=huber&dataset=moons" 400
bad POST "/api/runs?learning_rate=0.1" 400
bad POST "/api/runs?lr=0.1&lr=0.2" 400
bad POST "/api/runs?hidden=1000,1000" 422
bad POST "/api/runs?hidden=4,4,4,4,4,4,4" 422
bad POST "/api/runs/$id/train?steps=0" 400
bad POST "/api/runs/$id/train?steps=100000" 400
bad POST "/api/runs/$id/backward?sample=99999" 400
bad POST "/api/runs/99999/train" 404
bad GET "/nothing-here" 404
bad GET "/api/runs?x=1" 404
# A diverging run: the answer says so, the server goes on.
request POST "/api/runs?dataset=regression&optimizer=sgd&lr=10&hidden=16,16&activation=relu" 201
did=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$dir/body")
request POST "/api/runs/$did/train?steps=200" 200
check 'j["diverged"] and "message" in j' "divergence reported"
# Garbage on the socket, then a normal request.
printf 'NOT HTTP AT ALL\r\n\r\n' | curl -s --max-time 3 telnet://"${url#http://}" >/dev/null 2>&1 || true
curl -s --max-time 5 -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
     --data-binary @<(head -c 200000 /dev/zero | tr '\0' 'a') "$url"api/runs -o /dev/null || true
request POST "/api/runs/$id/train?steps=1" 200
check 'j["step"] == 206' "still serving after bad requests"

# Concurrent requests on several runs: backward traces and training steps do not mix.
for k in 1 2 3; do
  curl -s -X POST --data '' "${url}api/runs/$id/train?steps=50" -o "$dir/par_train$k" &
  curl -s -X POST --data '' "${url}api/runs/$lid/backward?sample=$k" -o "$dir/par_bw$k" &
done
wait $(jobs -p | grep -v "^$pid\$") 2>/dev/null || true
for k in 1 2 3; do
  cp "$dir/par_bw$k" "$dir/body"
  check 'len(j["events"]) == sum(n["kind"] == "op" for n in j["nodes"])' "concurrent backward $k"
  cp "$dir/par_train$k" "$dir/body"
  check '"step" in j' "concurrent training $k"
done

# Update rate: a live update is one train request (5 steps) with its view. Best of three
# rounds, so that a test running beside this one on a 2-core machine does not decide it.
best=0
for round in 1 2 3; do
  start=$(date +%s%N)
  for _ in $(seq 50); do request POST "/api/runs/$id/train?steps=5&view=1" 200; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  rate=$(( 50000 / (ms > 0 ? ms : 1) ))
  echo "round $round: 50 live updates (5 steps + view each) in ${ms} ms: $rate updates/s from the server"
  [ "$rate" -gt "$best" ] && best=$rate
  [ "$best" -ge "$min_rate" ] && break
done
[ "$best" -ge "$min_rate" ] || { echo "FAIL: fewer than $min_rate updates/s in three rounds"; exit 1; }
kill $pid
echo "playground API: all checks passed"
