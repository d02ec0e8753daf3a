// tapegrad playground: the page. The server trains; this file asks it for steps and views, and
// draws them: the data and the model's output, loss curves, the network, the recorded tape.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const STEPS_PER_UPDATE = 5;  // optimizer steps per live update while playing

const state = {
  run: null,        // the answer to POST /api/runs: id, config, data, area
  history: [],      // {step, train, test}
  playing: false,
  updateTimes: [],  // performance.now() of recent live updates (the updates/s figure)
  tape: null,       // the answer to POST /api/runs/ID/backward
  cursor: 0,        // backward events replayed so far
};

// ------------------------------------------------------------------ server
async function api(method, path, params) {
  const query = params ? '?' + new URLSearchParams(params) : '';
  const response = await fetch(path + query, { method });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function showError(err) {
  const box = $('message');
  box.textContent = err ? String(err.message || err) : '';
  box.classList.toggle('shown', Boolean(err));
}

function settings() {
  const out = {};
  for (const el of document.querySelectorAll('#controls [name]')) out[el.name] = el.value.trim();
  return out;
}

// ------------------------------------------------------------------ training controls
function setLossOptions() {
  const regression = document.querySelector('[name=dataset]').value === 'regression';
  const select = document.querySelector('[name=loss]');
  const options = regression
    ? [['mse', 'MSE'], ['l1', 'L1'], ['huber', 'Huber']]
    : [['bce', 'binary cross-entropy'], ['mse', 'MSE on σ(output)'], ['hinge', 'hinge'], ['focal', 'focal']];
  const previous = select.value;
  select.innerHTML = options.map(([v, t]) => `<option value="${v}">${t}</option>`).join('');
  if (options.some(([v]) => v === previous)) select.value = previous;
}

async function reset() {
  pause();
  try {
    const run = await api('POST', '/api/runs', settings());
    showError(null);
    if (state.run && state.history.length > 1)  // the last run's curve stays, dashed, to compare
      state.previous = { history: state.history, label: `${state.run.config.loss}, ${state.run.config.optimizer}` };
    state.run = run;
    state.history = [];
    state.tape = null;
    clearTape();
    $('stat-params').textContent = run.parameters;
    $('output-title').textContent = run.regression ? 'Data and fitted curve' : 'Decision boundary';
    $('output-note').textContent = run.regression ? '(test points outlined)' : '(P(class 1) under the points; test points outlined)';
    $('bw-sample').max = run.train.y.length - 1;
    update(run);
  } catch (err) {
    showError(err);
  }
}

async function trainSteps(steps) {
  if (!state.run) return;
  const r = await api('POST', `/api/runs/${state.run.id}/train`, { steps, view: 1 });
  update(r);
  if (r.message) {
    showError(r.message);
    pause();
  }
}

function update(r) {
  state.history.push({ step: r.step, train: r.train_loss, test: r.test_loss });
  if (state.history.length > 2000) state.history = state.history.filter((_, i) => i % 2 === 0);
  $('stat-step').textContent = r.step;
  $('stat-epoch').textContent = r.epoch;
  $('stat-train').textContent = fmt(r.train_loss);
  $('stat-test').textContent = fmt(r.test_loss);
  drawOutput(r.view);
  drawCurves();
  drawNetwork(r.view);
}

async function play() {
  if (state.playing) return pause();
  state.playing = true;
  $('play').textContent = 'pause';
  $('play').classList.add('playing');
  while (state.playing) {
    try {
      await trainSteps(STEPS_PER_UPDATE);
    } catch (err) {
      showError(err);
      pause();
    }
    const now = performance.now();
    state.updateTimes.push(now);
    state.updateTimes = state.updateTimes.filter((t) => now - t < 2000);
    if (state.updateTimes.length > 1) {
      const span = (now - state.updateTimes[0]) / 1000;
      $('stat-rate').textContent = ((state.updateTimes.length - 1) / span).toFixed(1);
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

function pause() {
  state.playing = false;
  $('play').textContent = 'play';
  $('play').classList.remove('playing');
}

// ------------------------------------------------------------------ drawing helpers
function fmt(v) {
  if (v === null || v === undefined) return 'NaN';
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4);
}

function el(tag, attrs, parent, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// p in [0, 1] -> blue (0) through white (0.5) to orange (1)
function colour(p) {
  const blue = [31, 95, 191], orange = [230, 126, 34];
  const t = Math.min(1, Math.max(0, p));
  const c = t < 0.5 ? blue : orange, a = Math.abs(t - 0.5) * 2 * 0.85;
  return c.map((x) => Math.round(255 + (x - 255) * a));
}

// A square map of values (row by row from the top) as an image on a canvas context.
function paintMap(ctx, values, n, size, lo, hi) {
  const img = ctx.createImageData(n, n);
  values.forEach((v, i) => {
    const [r, g, b] = colour(hi > lo ? (v - lo) / (hi - lo) : 0.5);
    img.data.set([r, g, b, 255], i * 4);
  });
  const tmp = document.createElement('canvas');
  tmp.width = tmp.height = n;
  tmp.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, size, size);
}

// ------------------------------------------------------------------ the data and the model's output
function drawOutput(view) {
  state.view = view;
  const canvas = $('boundary'), ctx = canvas.getContext('2d'), S = canvas.width;
  const run = state.run, [x0, x1, y0, y1] = run.area;
  const px = (x) => ((x - x0) / (x1 - x0)) * S, py = (y) => S - ((y - y0) / (y1 - y0)) * S;
  ctx.clearRect(0, 0, S, S);
  if (!run.regression) paintMap(ctx, view.output, view.grid, S, 0, 1);
  const points = (set, test) => {
    const d = run[set];
    for (let i = 0; i < d.y.length; ++i) {
      const [x, y] = run.regression ? [d.x[i], d.y[i]] : [d.x[2 * i], d.x[2 * i + 1]];
      ctx.beginPath();
      ctx.arc(px(x), py(y), 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = run.regression ? (test ? '#e67e22' : '#1f5fbf') : d.y[i] > 0.5 ? '#e67e22' : '#1f5fbf';
      ctx.fill();
      ctx.lineWidth = test ? 1.5 : 0.7;
      ctx.strokeStyle = test ? '#000' : '#fff';
      ctx.stroke();
    }
  };
  points('train', false);
  points('test', true);
  if (state.tape) {  // the sample(s) of the recorded backward pass
    for (const i of state.tape.samples) {
      const d = run.train;
      const [x, y] = run.regression ? [d.x[i], d.y[i]] : [d.x[2 * i], d.x[2 * i + 1]];
      ctx.beginPath();
      ctx.arc(px(x), py(y), 8, 0, 2 * Math.PI);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = '#d62728';
      ctx.stroke();
    }
  }
  if (run.regression) {
    ctx.beginPath();
    view.output.forEach((y, i) => {
      const x = x0 + ((x1 - x0) * i) / (view.grid - 1);
      i ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y));
    });
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 2.5;
    ctx.stroke();
  }
}

function drawCurves() {
  const svg = $('curves'), W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
  svg.innerHTML = '';
  const h = state.history.filter((p) => p.train !== null);
  if (h.length < 1) return;
  const prev = state.previous;  // the previous run's train loss, on the same axes
  const all = prev ? h.concat(prev.history.filter((p) => p.train !== null)) : h;
  const maxStep = Math.max(1, ...all.map((p) => p.step));
  const maxLoss = Math.max(1e-9, ...all.map((p) => Math.max(p.train, p.test ?? 0)));
  const px = (s) => 30 + (s / maxStep) * (W - 40), py = (v) => H - 18 - (v / maxLoss) * (H - 28);
  el('line', { x1: 30, x2: W - 10, y1: H - 18, y2: H - 18, stroke: '#999' }, svg);
  el('text', { x: 2, y: 14, 'font-size': 10 }, svg, fmt(maxLoss));
  el('text', { x: W - 10, y: H - 4, 'font-size': 10, 'text-anchor': 'end' }, svg, `step ${maxStep}`);
  if (prev) {
    const pts = prev.history.filter((p) => p.train !== null);
    el('polyline', { points: pts.map((p) => `${px(p.step).toFixed(1)},${py(p.train).toFixed(1)}`).join(' '),
      fill: 'none', stroke: '#999', 'stroke-dasharray': '4 3', class: 'curve-previous' }, svg);
    el('text', { x: W - 10, y: 14, 'font-size': 10, 'text-anchor': 'end', fill: '#777' }, svg, `- - previous run (${prev.label})`);
  }
  for (const [key, c] of [['train', '#1f5fbf'], ['test', '#e67e22']]) {
    const pts = h.filter((p) => p[key] !== null).map((p) => `${px(p.step).toFixed(1)},${py(p[key]).toFixed(1)}`);
    el('polyline', { points: pts.join(' '), fill: 'none', stroke: c, 'stroke-width': 2, class: `curve-${key}` }, svg);
  }
}

// ------------------------------------------------------------------ the network
function drawNetwork(view) {
  const svg = $('network'), W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
  svg.innerHTML = '';
  const run = state.run, box = 40;
  const widths = [view.layers[0].in, ...view.layers.map((l) => l.out)];
  const colX = (c) => 20 + (c * (W - 40 - box)) / (widths.length - 1);
  const rowY = (c, r) => {
    const gap = Math.min(box + 8, (H - 20) / widths[c]);
    return H / 2 - (gap * widths[c]) / 2 + r * gap + (gap - box) / 2;
  };
  // Weights first (under the neurons): layer l connects column l to column l + 1.
  view.layers.forEach((layer, l) => {
    for (let o = 0; o < layer.out; ++o)
      for (let i = 0; i < layer.in; ++i) {
        const w = layer.weight[o * layer.in + i];
        el('line', {
          x1: colX(l) + box, y1: rowY(l, i) + box / 2, x2: colX(l + 1), y2: rowY(l + 1, o) + box / 2,
          stroke: w >= 0 ? '#1f5fbf' : '#e67e22', 'stroke-width': Math.min(8, 0.3 + 2 * Math.abs(w)).toFixed(2),
          'stroke-opacity': 0.75, class: 'weight',
        }, svg);
      }
  });
  // Neurons: inputs are labelled; hidden neurons and the output show their own map or curve.
  widths.forEach((n, c) => {
    for (let r = 0; r < n; ++r) {
      const x = colX(c), y = rowY(c, r);
      const g = el('g', { class: c === 0 ? 'input' : c === widths.length - 1 ? 'out' : 'neuron' }, svg);
      el('rect', { x, y, width: box, height: box, fill: '#fff', stroke: '#555' }, g);
      if (c === 0) {
        el('text', { x: x + box / 2, y: y + box / 2 + 4, 'text-anchor': 'middle', 'font-size': 12 }, g,
          run.regression ? 'x' : `x${r + 1}`);
        continue;
      }
      const values = c === widths.length - 1 ? null : view.neurons[c - 1][r];
      drawNeuron(g, x, y, box, values, view, c === widths.length - 1);
    }
  });
  el('text', { x: 4, y: H - 4, 'font-size': 11, fill: '#555' }, svg,
    `${widths.join('-')} · ${state.run.config.activation} · ${state.run.config.loss}`);
}

function drawNeuron(g, x, y, box, values, view, isOutput) {
  const run = state.run;
  if (run.regression) {
    const v = isOutput ? view.output : values;
    const lo = Math.min(...v), hi = Math.max(...v), span = hi - lo || 1;
    const pts = v.map((u, i) => `${(x + (i / (v.length - 1)) * box).toFixed(1)},${(y + box - 3 - ((u - lo) / span) * (box - 6)).toFixed(1)}`);
    el('polyline', { points: pts.join(' '), fill: 'none', stroke: '#23395d', 'stroke-width': 1.5 }, g);
    return;
  }
  const n = isOutput ? view.grid : view.grid / 2;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = n;
  const lo = isOutput ? 0 : state.run.config.activation === 'tanh' ? -1 : Math.min(...values);
  const hi = isOutput ? 1 : state.run.config.activation === 'tanh' ? 1 : Math.max(...values);
  paintMap(canvas.getContext('2d'), isOutput ? view.output : values, n, n, lo, hi);
  el('image', { x, y, width: box, height: box, href: canvas.toDataURL(), preserveAspectRatio: 'none' }, g);
}

// ------------------------------------------------------------------ the backward pass
function clearTape() {
  $('tape').innerHTML = '';
  $('loss-box').innerHTML = '';
  $('bw-progress').textContent = '';
  $('bw-step').disabled = $('bw-all').disabled = true;
}

async function recordBackward() {
  if (!state.run) return;
  pause();
  const sample = $('bw-on').value === '-1' ? -1 : $('bw-sample').value;
  try {
    state.tape = await api('POST', `/api/runs/${state.run.id}/backward`, { sample });
    showError(null);
  } catch (err) {
    return showError(err);
  }
  state.cursor = 0;
  drawOutput(state.view);
  layoutTape(state.tape);
  drawLossBox(state.tape);
  $('bw-step').disabled = $('bw-all').disabled = false;
  renderTape();
}

// Columns by depth: tensors that start the graph at the left, each op one column right of its
// deepest input, the loss at the right. Backward walks right to left.
function layoutTape(tape) {
  const depth = [];
  tape.nodes.forEach((n, i) => {
    depth[i] = n.inputs.length ? 1 + Math.max(...n.inputs.map((k) => depth[k])) : 0;
  });
  // A leaf sits just left of its first consumer, not at the far left.
  tape.nodes.forEach((n) => n.inputs.forEach((k) => {
    if (!tape.nodes[k].inputs.length) depth[k] = Math.max(depth[k], ...[depth[tape.nodes.indexOf(n)] - 1]);
  }));
  const columns = [];
  tape.nodes.forEach((n, i) => (columns[depth[i]] = columns[depth[i]] || []).push(i));
  const colW = 190, rowH = 78, boxW = 172, boxH = 64;
  const rows = Math.max(...columns.map((c) => (c ? c.length : 0)));
  tape.pos = [];
  columns.forEach((col, d) => col && col.forEach((i, r) => {
    tape.pos[i] = { x: 10 + d * colW, y: 10 + (rows - col.length) * rowH / 2 + r * rowH, w: boxW, h: boxH };
  }));
  tape.size = { w: 20 + columns.length * colW, h: 20 + rows * rowH };
}

function shorten(text, n) {
  return text && text.length > n ? text.slice(0, n - 1) + '…' : text || '';
}

// The state after `cursor` events: which node ran last, what each node has received so far.
function replay(tape, cursor) {
  const received = {};  // node -> {acc, count}
  const done = new Set();
  const loss = tape.nodes.length - 1;
  received[loss] = { acc: '1', count: 1 };  // backward starts with dL/dL = 1
  for (let k = 0; k < cursor; ++k) {
    const e = tape.events[k];
    done.add(e.node);
    e.inputs.forEach((inp) => {
      if (inp.grad !== undefined) received[inp.to] = { acc: inp.acc, count: inp.count };
    });
  }
  return { received, done, current: cursor > 0 ? tape.events[cursor - 1] : null };
}

function renderTape() {
  const tape = state.tape, svg = $('tape');
  const { received, done, current } = replay(tape, state.cursor);
  svg.innerHTML = '';
  svg.setAttribute('width', tape.size.w);
  svg.setAttribute('height', tape.size.h);
  const flowing = new Set(current ? current.inputs.filter((i) => i.grad !== undefined).map((i) => i.to) : []);
  tape.nodes.forEach((n, i) => n.inputs.forEach((k) => {
    const a = tape.pos[k], b = tape.pos[i];
    const flow = current && current.node === i && flowing.has(k);
    el('path', {
      d: `M${a.x + a.w},${a.y + a.h / 2} C${a.x + a.w + 20},${a.y + a.h / 2} ${b.x - 20},${b.y + b.h / 2} ${b.x},${b.y + b.h / 2}`,
      class: flow ? 'edge flow' : 'edge',
    }, svg);
  }));
  tape.nodes.forEach((n, i) => {
    const p = tape.pos[i];
    const cls = ['node', n.kind];
    if (done.has(i)) cls.push('done');
    if (current && current.node === i) cls.push('current');
    if (flowing.has(i)) cls.push('receiving');
    const g = el('g', { class: cls.join(' '), 'data-index': i }, svg);
    el('title', {}, g, `${n.label} ${n.shape}\ndata ${n.value || '?'}\ngrad ${received[i] ? received[i].acc : '(not yet)'}`);
    el('rect', { x: p.x, y: p.y, width: p.w, height: p.h, rx: n.kind === 'op' ? 10 : 3 }, g);
    const title = n.kind === 'op' ? `${n.label} #${n.op}` : n.label;
    el('text', { x: p.x + 6, y: p.y + 14, 'font-size': 12, 'font-weight': 'bold' }, g, `${shorten(title, 17)} ${n.shape}`);
    el('text', { x: p.x + 6, y: p.y + 31, 'font-size': 10.5 }, g, 'data ' + shorten(n.value || '–', 26));
    const r = received[i];
    el('text', { x: p.x + 6, y: p.y + 47, 'font-size': 10.5, fill: r ? '#b03a00' : '#aaa', class: 'grad' }, g,
      r ? 'grad ' + shorten(r.acc, 26) : n.kind === 'constant' ? 'no gradient needed' : 'grad (not yet)');
    if (r && r.count > 1)
      el('text', { x: p.x + 6, y: p.y + 60, 'font-size': 10, fill: '#555' }, g, `sum of ${r.count} contributions (fan-in)`);
  });
  if (current) {  // keep the running node in view
    const box = $('tape-box'), p = tape.pos[current.node];
    if (p.x < box.scrollLeft || p.x + p.w > box.scrollLeft + box.clientWidth)
      box.scrollLeft = Math.max(0, p.x - 200);  // its inputs, one column left, in view too
  } else {
    $('tape-box').scrollLeft = $('tape-box').scrollWidth;  // the loss, where backward starts
  }
  const total = tape.events.length;
  $('bw-progress').textContent = `${state.cursor} / ${total} nodes run`;
  $('bw-step').disabled = $('bw-all').disabled = state.cursor >= total;
  $('bw-info').textContent = describe(tape, current, received);
}

function describe(tape, e, received) {
  if (!e) return `The tape holds ${tape.events.length} op nodes. Backward starts at the loss with dL/dL = 1 ` +
    'and runs the nodes in reverse tape order; press "step backward".';
  const n = tape.nodes[e.node];
  const lines = [`${n.label} #${n.op} runs: the gradient flowing into its output ${n.shape} is ${e.grad}`];
  e.inputs.forEach((inp, k) => {
    const to = tape.nodes[inp.to];
    const name = to.kind === 'op' ? `${to.label} #${to.op}`  // constants: name (if any), values
      : (to.label === to.kind ? to.kind : `${to.kind} ${to.label}`) + (to.kind === 'constant' && to.value ? ` = ${shorten(to.value, 26)}` : '');
    if (inp.grad === undefined) lines.push(`  input ${k} (${name}): needs no gradient`);
    else lines.push(`  input ${k} (${name}) receives ${inp.grad}` +
      (inp.count > 1 ? `\n      fan-in: summed with what it already had -> ${inp.acc} (${inp.count} contributions)` : ''));
  });
  if (Object.keys(received).length && e === tape.events[tape.events.length - 1])
    lines.push('Backward is done: every parameter holds its gradient (.grad()); the optimizer step would use them.');
  return lines.join('\n');
}

function drawLossBox(tape) {
  const l = tape.loss;
  const rows = [
    ['loss', 'loss', `${l.name} = ${fmt(l.value)}`], ['formula', 'formula', l.formula],
    ...(l.objective !== undefined ? [['objective', 'objective', `loss + ${l.l2}/2·Σ p² = ${fmt(l.objective)} (the graph's root)`]] : []),
    ['prediction', 'prediction', l.prediction], ['yhat', 'ŷ', l.yhat], ['y', 'y', l.y],
    ['hand-formula', 'by hand', l.hand_formula], ['hand', 'hand value', l.hand || '–'],
    ['autograd', 'autograd dL/dŷ', l.autograd],
    ['difference', 'max |difference|', l.max_difference !== undefined ? l.max_difference.toExponential(2) : '–'],
    ['samples', 'samples', tape.samples.length > 8 ? `${tape.samples.length} (a batch)` : tape.samples.join(', ')],
  ];
  $('loss-box').innerHTML = '<h2>The loss node</h2><table>' +
    rows.map(([c, k, v]) => `<tr><td>${k}</td><td class="loss-${c}">${escapeHtml(v)}</td></tr>`).join('') + '</table>';
}

function escapeHtml(s) {
  return String(s).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
}

function stepBackward(all) {
  if (!state.tape) return;
  state.cursor = all ? state.tape.events.length : Math.min(state.cursor + 1, state.tape.events.length);
  renderTape();
}

// ------------------------------------------------------------------ start
async function loadGallery() {
  const response = await fetch('/gallery.svg');
  $('gallery').innerHTML = await response.text();
}

// ?autotest=1: the browser test's script (train, play, step backward to the end), then marks
// <body data-autotest="done"> with the results in data attributes.
async function autotest() {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const params = new URLSearchParams(location.search);
  for (const [k, v] of params) {
    const input = document.querySelector(`#controls [name=${k}]`);
    if (input) { input.value = v; if (k === 'dataset') setLossOptions(); }
  }
  await reset();
  if (params.has('play_ms')) {  // real playing, for the updates/s figure
    play();
    await sleep(Number(params.get('play_ms')));
    pause();
    await sleep(100);
    document.body.dataset.rate = $('stat-rate').textContent;
  }
  const updates = Number(params.get('updates') || 20);
  for (let i = 0; i < updates; ++i) await trainSteps(STEPS_PER_UPDATE);
  if (params.has('then_loss')) {  // switch the loss and train again: both curves show
    document.querySelector('[name=loss]').value = params.get('then_loss');
    await reset();
    for (let i = 0; i < updates; ++i) await trainSteps(STEPS_PER_UPDATE);
  }
  $('step').click();
  await sleep(200);
  await recordBackward();
  const steps = Number(params.get('backward_steps') || 1e9);
  for (let i = 0; i < steps && state.cursor < state.tape.events.length; ++i) stepBackward(false);
  document.body.dataset.events = state.tape.events.length;
  document.body.dataset.cursor = state.cursor;
  document.body.dataset.step = state.history[state.history.length - 1].step;
  document.body.dataset.autotest = 'done';
}

// A click on the plot picks the nearest training point for the backward pass.
function pickSample(event) {
  const run = state.run, canvas = $('boundary');
  if (!run) return;
  const rect = canvas.getBoundingClientRect(), [x0, x1, y0, y1] = run.area;
  const x = x0 + ((event.clientX - rect.left) / rect.width) * (x1 - x0);
  const y = y1 - ((event.clientY - rect.top) / rect.height) * (y1 - y0);
  let best = 0, bestDist = Infinity;
  for (let i = 0; i < run.train.y.length; ++i) {
    const [px, py] = run.regression ? [run.train.x[i], run.train.y[i]] : [run.train.x[2 * i], run.train.x[2 * i + 1]];
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d < bestDist) [best, bestDist] = [i, d];
  }
  $('bw-on').value = '0';
  $('bw-sample').disabled = false;
  $('bw-sample').value = best;
  recordBackward();
}

function start() {
  setLossOptions();
  $('reset').onclick = reset;
  $('play').onclick = play;
  $('step').onclick = () => trainSteps(1).catch(showError);
  $('bw-record').onclick = recordBackward;
  $('boundary').onclick = pickSample;
  $('boundary').title = 'click a training point to trace its backward pass';
  $('bw-step').onclick = () => stepBackward(false);
  $('bw-all').onclick = () => stepBackward(true);
  $('bw-on').onchange = () => ($('bw-sample').disabled = $('bw-on').value === '-1');
  for (const el of document.querySelectorAll('#controls [name]'))
    el.addEventListener('change', () => {
      if (el.name === 'dataset') setLossOptions();
      reset();
    });
  loadGallery().catch(showError);
  if (new URLSearchParams(location.search).has('autotest')) autotest().catch((err) => {
    showError(err);
    document.body.dataset.autotest = 'failed: ' + err.message;
  });
  else reset();
}

start();
