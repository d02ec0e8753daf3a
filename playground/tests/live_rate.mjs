// Measures the playground's live update rate in real time: opens the page in headless chromium
// with ?autotest=1&play_ms=N (the page plays for N ms, then runs its test script) and reads the
// page's own updates/s figure through the DevTools protocol (virtual time, which --dump-dom
// needs, does not run a live loop). Saves a screenshot taken while playing.
//   node --experimental-websocket live_rate.mjs CHROMIUM URL PROFILE_DIR SCREENSHOT.png [MIN_RATE]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const [chromium, url, profile, screenshot, minRate = '10'] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--window-size=1400,1000',
  '--hide-scrollbars', `${url}?autotest=1&play_ms=4000`,
], { stdio: 'ignore' });

async function main() {
  let port;
  for (let i = 0; i < 300 && !port; ++i) {  // chromium writes its port when it is ready
    try { port = readFileSync(`${profile}/DevToolsActivePort`, 'utf8').split('\n')[0]; } catch { await sleep(100); }
  }
  if (!port) throw new Error('chromium did not start its DevTools server');
  let page;
  for (let i = 0; i < 50 && !page; ++i) {
    const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    page = list.find((t) => t.type === 'page' && t.url.startsWith(url));
    if (!page) await sleep(100);
  }
  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (pending.has(msg.id)) { pending.get(msg.id)(msg.result); pending.delete(msg.id); }
  };
  const send = (method, params = {}) => new Promise((resolve) => {
    pending.set(++id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  const evaluate = async (expr) => (await send('Runtime.evaluate', { expression: expr, returnByValue: true })).result.value;

  await sleep(2500);  // mid-play: a screenshot of the live view
  const shot = await send('Page.captureScreenshot', { format: 'png' });
  writeFileSync(screenshot, Buffer.from(shot.data, 'base64'));
  for (let i = 0; i < 300; ++i) {
    const status = await evaluate('document.body.dataset.autotest');
    if (status === 'done') break;
    if (status && status.startsWith('failed')) throw new Error(status);
    await sleep(100);
  }
  const result = await evaluate('JSON.stringify(document.body.dataset)');
  console.log(result);
  const rate = Number(JSON.parse(result).rate);
  ws.close();
  return rate;
}

main().then((rate) => {
  browser.kill();
  console.log(`live updates in chromium: ${rate} per second (5 optimizer steps and a full redraw each)`);
  process.exit(rate >= Number(minRate) ? 0 : 1);
}, (err) => {
  browser.kill();
  console.error('live_rate:', err.message);
  process.exit(1);
});
