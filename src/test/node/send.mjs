// Sends one identify, track, page, screen, group and alias through a Segment-API endpoint
// (mixrelay) with the real @segment/analytics-node library, then exits 0 only if all were delivered.
//
// usage: node send.mjs [--host http://127.0.0.1:8088] [--write-key KEY] [--timestamp ISO]
// env:   MIXRELAY_HOST, SEGMENT_WRITE_KEY, SEND_TIMESTAMP (the flags win)
import { Analytics } from '@segment/analytics-node'

function option(name, envName, fallback) {
  const argv = process.argv.slice(2)
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name && i + 1 < argv.length) return argv[i + 1]
    if (argv[i].startsWith(name + '=')) return argv[i].slice(name.length + 1)
  }
  return process.env[envName] || fallback
}

const host = option('--host', 'MIXRELAY_HOST', 'http://127.0.0.1:8088')
const writeKey = option('--write-key', 'SEGMENT_WRITE_KEY', '')
const timestamp = option('--timestamp', 'SEND_TIMESTAMP', undefined)
if (!writeKey) {
  console.error('send.mjs: a write key is required (--write-key or SEGMENT_WRITE_KEY)')
  process.exit(2)
}

// The ids the JUnit test looks for at the mock Mixpanel.
const IDS = {
  userId: 'node-user-1',
  anonymousId: 'node-anon-1',
  previousId: 'node-anon-1',
  groupId: 'node-group-1',
}

const analytics = new Analytics({
  writeKey,
  host,
  maxRetries: 2,
  flushInterval: 500,
  httpRequestTimeout: 10000,
})

const failures = []
analytics.on('error', (err) => failures.push(String(err && (err.reason || err.message || err.code) || err)))

const at = timestamp ? { timestamp } : {}
const calls = [
  ['identify', {
    ...at, messageId: 'node-identify-1', userId: IDS.userId, anonymousId: IDS.anonymousId,
    traits: { email: 'node@example.com', name: 'Node Client', plan: 'pro', roles: ['admin'] },
  }],
  ['track', {
    ...at, messageId: 'node-track-1', userId: IDS.userId, event: 'Order Completed',
    properties: { revenue: 19.99, currency: 'USD', orderId: 'o-1' },
  }],
  ['page', {
    ...at, messageId: 'node-page-1', userId: IDS.userId, category: 'Docs', name: 'Pricing',
    properties: { url: 'https://example.com/pricing', path: '/pricing', title: 'Pricing' },
  }],
  ['screen', {
    ...at, messageId: 'node-screen-1', userId: IDS.userId, name: 'Checkout',
    properties: { step: 2 },
  }],
  ['group', {
    ...at, messageId: 'node-group-1', userId: IDS.userId, groupId: IDS.groupId,
    traits: { name: 'Acme Inc', company_id: IDS.groupId, employees: 120 },
  }],
  ['alias', {
    ...at, messageId: 'node-alias-1', userId: IDS.userId, previousId: IDS.previousId,
  }],
]

const delivered = []
await Promise.all(calls.map(([method, params]) => new Promise((resolve) => {
  analytics[method](params, (err) => {
    if (err) failures.push(`${method}: ${String(err.reason || err.message || err.code || err)}`)
    else delivered.push(method)
    resolve()
  })
})).concat([analytics.closeAndFlush({ timeout: 30000 })]))

if (failures.length > 0 || delivered.length !== calls.length) {
  console.error(`send.mjs: delivered ${delivered.length}/${calls.length} to ${host}; failures: ${failures.join('; ') || 'none reported'}`)
  process.exit(1)
}
console.log(`send.mjs: delivered ${delivered.length}/${calls.length} messages (${delivered.sort().join(', ')}) to ${host}`)
process.exit(0)
