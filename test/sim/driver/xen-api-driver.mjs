// Drives the Vates `xen-api` client (ESM; jest on Node 20 cannot load it, stack-notes §6) against a
// simulator. argv[2] is a JSON script; the answer is one JSON document on stdout.
//   { url, user, password, watchEvents?, steps: [{ op, method?, args?, save?, type?, path?, query? }] }
// op: "call" | "callAsync" | "objects" (cached records of `type` after the initial fetch)
//   | "getResource" (HTTP GET, answers {status, bytes, sha256}).
// A string argument "$name" (or "$name.0.field") is replaced by the result saved under `name`.
import { createHash } from 'node:crypto'
import { createClient } from 'xen-api'

const script = JSON.parse(process.argv[2])
const saved = new Map()
// "$name" or "$name.0.field": a saved result, optionally indexed.
const resolveArg = arg => {
  if (Array.isArray(arg)) return arg.map(resolveArg)
  if (typeof arg !== 'string' || !arg.startsWith('$')) return arg
  const [name, ...path] = arg.slice(1).split('.')
  return path.reduce((v, k) => (v == null ? v : v[k]), saved.get(name))
}

const xapi = createClient({
  url: script.url,
  auth: { user: script.user ?? 'root', password: script.password ?? 'xsnap' },
  transport: script.transport ?? 'xml-rpc',
  watchEvents: script.watchEvents ?? false,
  allowUnauthorized: true,
})

const results = []
let connectError
try {
  await xapi.connect()
  if (script.watchEvents) await xapi.objectsFetched
  for (const step of script.steps ?? []) {
    try {
      let value
      const args = (step.args ?? []).map(resolveArg)
      if (step.op === 'call') value = await xapi.call(step.method, ...args)
      else if (step.op === 'callAsync') value = await xapi.callAsync(step.method, ...args)
      else if (step.op === 'objects') {
        value = Object.values(xapi.objects.all)
          .filter(o => o.$type === step.type)
          .map(o => ({ $ref: o.$ref, uuid: o.uuid, name_label: o.name_label, is_a_snapshot: o.is_a_snapshot, is_a_template: o.is_a_template, power_state: o.power_state }))
      } else if (step.op === 'getResource') {
        const query = Object.fromEntries(Object.entries(step.query ?? {}).map(([k, v]) => [k, resolveArg(v)]))
        const response = await xapi.getResource(step.path, { query })
        const hash = createHash('sha256')
        let bytes = 0
        for await (const chunk of response.body) {
          hash.update(chunk)
          bytes += chunk.length
        }
        value = { status: response.statusCode, bytes, sha256: hash.digest('hex'), task: response.task === undefined ? undefined : await response.task.catch(e => ({ code: e.code })) }
      } else throw new Error(`unknown op ${step.op}`)
      if (step.save) saved.set(step.save, value)
      results.push({ ok: true, value })
    } catch (error) {
      results.push({ ok: false, code: error.code, params: error.params, message: String(error.message) })
    }
  }
} catch (error) {
  connectError = { code: error.code, params: error.params, message: String(error.message) }
}
await xapi.disconnect().catch(() => {})
process.stdout.write(JSON.stringify({ connected: connectError === undefined, connectError, results }) + '\n')
process.exit(0)
