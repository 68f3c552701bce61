// Drives the relay's /debugger page in headless Debian Chromium and checks what it shows.
// Usage: node debugger-check.mjs --url http://127.0.0.1:PORT --token ADMIN --write-key KEY
//          --screenshot target/debugger.png --dump target/debugger-page.txt
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const { url, token } = args;
const writeKey = args['write-key'];
const step = (what) => console.log('step: ' + what);

async function send(messages) {
  const res = await fetch(url + '/v1/batch', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json',
      Authorization: 'Basic ' + Buffer.from(writeKey + ':').toString('base64') },
    body: JSON.stringify({ batch: messages }),
  });
  if (res.status !== 200) {
    throw new Error('intake answered ' + res.status + ': ' + await res.text());
  }
}

const track = (userId, event, props = {}) => ({ type: 'track', userId, event, properties: props });

const rowTexts = (page) => page.$$eval('#rows tr', (trs) => trs.map((tr) => tr.innerText));

async function rowsSatisfy(page, what, predicate) {
  step('waiting for ' + what);
  const deadline = Date.now() + 20000;
  for (;;) {
    const rows = await rowTexts(page);
    if (predicate(rows)) {
      return rows;
    }
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for ' + what + '; rows: ' + JSON.stringify(rows));
    }
    await page.waitForTimeout(100);
  }
}

async function live(page) {
  await page.waitForFunction(() => document.getElementById('status').textContent === 'live',
    null, { timeout: 20000 });
}

const userDataDir = mkdtempSync(join(tmpdir(), 'mixrelay-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
});
const page = context.pages()[0] || await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('response', (r) => { if (r.status() >= 400) { problems.push(r.status() + ' for ' + r.url()); } });
page.on('console', (m) => { if (m.type() === 'error') { problems.push('console: ' + m.text()); } });
try {
  step('opening the page');
  await page.goto(url + '/debugger?token=' + encodeURIComponent(token));
  await live(page);
  if (page.url().includes(token)) {
    throw new Error('the admin token stayed in the address bar: ' + page.url());
  }

  step('sending events');
  await send([
    // hours apart and before the rest (sessions ignore events behind their watermark): each later
    // one closes the session before it
    { ...track('user-6', 'Opened App'), timestamp: new Date(Date.now() - 5 * 3600e3).toISOString() },
    { ...track('user-6', 'Opened App'), timestamp: new Date(Date.now() - 3 * 3600e3).toISOString() },
    { ...track('user-6', 'Opened App'), timestamp: new Date(Date.now() - 3600e3).toISOString() },
    { type: 'identify', userId: 'user-1', traits: { email: 'one@example.com', plan: 'pro' } },
    track('user-1', 'Order Completed', { revenue: 19.99 }),
    { type: 'page', userId: 'user-1', name: 'Pricing' },
    track('user-2', 'Signed Up'),
  ]);
  let rows = await rowsSatisfy(page, 'the seven messages', (r) => r.length >= 7);
  const sessionRows = await page.$$eval('#rows td.sessions', (tds) => tds.map((td) => td.innerText).filter((t) => t));
  if (sessionRows.length === 0 || !sessionRows.every((t) => t.includes('Session'))) {
    throw new Error('expected a row closing a session, got ' + JSON.stringify(sessionRows) + ' in ' + JSON.stringify(rows));
  }
  const order = rows.find((r) => r.includes('Order Completed'));
  if (!order || !order.includes('track') || !order.includes('user-1')) {
    throw new Error('no track row for Order Completed by user-1: ' + JSON.stringify(rows));
  }
  const identify = rows.find((r) => r.includes('identify'));
  if (!identify || !identify.includes('/engage') || !identify.includes('$set')) {
    throw new Error('the identify row does not show its /engage $set record: ' + JSON.stringify(rows));
  }
  if (!rows.some((r) => r.includes('page') && r.includes('Loaded a Page'))) {
    console.log('note: the page row shows ' + JSON.stringify(rows.filter((r) => r.includes('page'))));
  }

  step('opening a row');
  await page.click('#rows tr:has-text("Order Completed")');
  await page.waitForSelector('#detail:not([hidden])');
  const message = JSON.parse(await page.textContent('#detail-message'));
  const records = JSON.parse(await page.textContent('#detail-records'));
  if (message.event !== 'Order Completed' || message.properties.revenue !== 19.99) {
    throw new Error('the detail does not show the Segment message: ' + JSON.stringify(message));
  }
  const event = records.find((r) => r.endpoint === '/import');
  if (!event || event.body.event !== 'Order Completed' || event.body.properties.distinct_id !== 'user-1') {
    throw new Error('the detail does not show the Mixpanel event: ' + JSON.stringify(records));
  }
  await page.screenshot({ path: args.screenshot, fullPage: true });

  step('filtering by event name');
  await page.fill('#f-event', 'signed');
  await page.click('#apply');
  await live(page);
  await send([track('user-3', 'Order Completed'), track('user-3', 'Signed Up')]);
  rows = await rowsSatisfy(page, 'the Signed Up of user-3', (r) => r.some((t) => t.includes('user-3')));
  if (!rows.every((t) => t.includes('Signed Up'))) {
    throw new Error('the event filter let other events through: ' + JSON.stringify(rows));
  }

  step('filtering by type and user');
  await page.fill('#f-event', '');
  await page.fill('#f-user', 'user-4');
  await page.click('#apply');
  await live(page);
  await page.selectOption('#f-type', 'identify');
  await live(page);
  await send([track('user-4', 'Order Completed'), { type: 'identify', userId: 'user-5', traits: { a: 1 } },
    { type: 'identify', userId: 'user-4', traits: { plan: 'team' } }]);
  rows = await rowsSatisfy(page, 'the identify of user-4', (r) => r.some((t) => t.includes('user-4')));
  if (rows.length !== 1 || !rows[0].includes('identify')) {
    throw new Error('the type and user filters let others through: ' + JSON.stringify(rows));
  }

  step('pausing');
  await page.click('#pause');
  await send([{ type: 'identify', userId: 'user-4', traits: { plan: 'enterprise' } }]);
  await page.waitForFunction(() => document.getElementById('stats').textContent.includes('1 waiting'),
    null, { timeout: 20000 });
  if ((await rowTexts(page)).length !== 1) {
    throw new Error('a row was added while paused');
  }
  await page.click('#pause');
  await rowsSatisfy(page, 'the waiting row after resuming', (r) => r.length === 2);

  writeFileSync(args.dump, await page.content() + '\n' + await page.evaluate(() => document.body.innerText));
  if (problems.length) {
    throw new Error(problems.join('\n'));
  }
  console.log('debugger check passed');
} catch (e) {
  console.log('debugger check failed: ' + e.message);
  await page.screenshot({ path: args.screenshot.replace(/\.png$/, '-failure.png'), fullPage: true })
    .catch(() => {});
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
