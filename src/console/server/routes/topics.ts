// The topic page's API: a topic's details (partitions, offsets, sizes, configs, the groups reading it with their lag),
// create / alter config / add partitions / delete (writes: the CSRF and read-only guard of app.ts applies), and the
// message browser — a scan streamed as NDJSON events (start, progress, record, end) so the browser sees progress,
// and a client that goes away (abort) stops the scan.
import type { FastifyInstance } from 'fastify'
import type { ConsoleParts } from '../app.ts'
import { badRequest, notFound, part } from '../errors.ts'
import { browseQuery, configChange, newTopic, partitionCount, topicName } from '../topic-input.ts'
import { TopicTools } from '../topic-reader.ts'
import { intParam, nameParam, type Query, textParam } from '../validation.ts'

type TopicParams = { cluster: string; topic: string }

export function registerTopicRoutes(app: FastifyInstance, parts: ConsoleParts): void {
  const tools = new Map<string, TopicTools>()
  const cluster = (raw: unknown) => {
    const name = nameParam('cluster', raw)
    const found = parts.kafka.find((k) => k.name === name)
    if (!found)
      throw notFound(
        `Kafka cluster ${JSON.stringify(name)} is not configured (known: ${parts.kafka.map((k) => k.name).join(', ')})`,
      )
    let t = tools.get(name)
    if (!t) {
      t = new TopicTools(`Kafka cluster ${name}`, found.bootstrapServers)
      tools.set(name, t)
    }
    return { name, tools: t, primary: found === parts.kafka[0] }
  }
  app.addHook('onClose', async () => {
    await Promise.all([...tools.values()].map((t) => t.close()))
  })

  app.get<{ Params: TopicParams }>('/api/clusters/:cluster/topics/:topic', async (request) => {
    const k = cluster(request.params.cluster)
    const topic = topicName(request.params.topic)
    const [details, lagView] = await Promise.all([
      k.tools.details(topic),
      // The lag exporter watches the first Kafka cluster only.
      parts.lag && k.primary ? part(parts.lag.view()) : Promise.resolve(null),
    ])
    const groups =
      lagView === null
        ? null
        : lagView.ok
          ? {
              ok: true as const,
              value: lagView.value.groups
                .filter((g) => g.topics[topic] !== undefined)
                .map((g) => ({ group: g.group, status: g.status, lag: g.topics[topic], lagSeconds: g.maxLagSeconds })),
            }
          : lagView
    return { ...details, groups }
  })

  app.post<{ Params: { cluster: string } }>('/api/clusters/:cluster/topics', async (request, reply) => {
    const k = cluster(request.params.cluster)
    const t = newTopic(request.body)
    await k.tools.create(t)
    return reply.code(201).send({ name: t.name, created: true })
  })

  app.put<{ Params: TopicParams }>('/api/clusters/:cluster/topics/:topic/config', async (request) => {
    const k = cluster(request.params.cluster)
    const topic = topicName(request.params.topic)
    const change = configChange(request.body)
    await k.tools.alterConfig(topic, change)
    return { name: topic, altered: true }
  })

  app.post<{ Params: TopicParams }>('/api/clusters/:cluster/topics/:topic/partitions', async (request) => {
    const k = cluster(request.params.cluster)
    const topic = topicName(request.params.topic)
    const count = partitionCount(request.body)
    await k.tools.addPartitions(topic, count)
    return { name: topic, partitions: count }
  })

  app.delete<{ Params: TopicParams; Querystring: Query }>('/api/clusters/:cluster/topics/:topic', async (request) => {
    const k = cluster(request.params.cluster)
    const topic = topicName(request.params.topic)
    // The typed-name confirmation is checked here too, not only in the UI.
    if (textParam(request.query, 'confirm', 249) !== topic)
      throw badRequest(`query parameter "confirm" must repeat the topic name (${topic}) to delete it`)
    await k.tools.remove(topic)
    return { name: topic, deleted: true }
  })

  app.get<{ Params: TopicParams & { partition: string; offset: string }; Querystring: Query }>(
    '/api/clusters/:cluster/topics/:topic/messages/:partition/:offset',
    async (request) => {
      const k = cluster(request.params.cluster)
      const topic = topicName(request.params.topic)
      const { partition, offset } = request.params
      if (!/^\d{1,6}$/.test(partition)) throw badRequest(`partition ${JSON.stringify(partition)} is not a number`)
      if (!/^\d{1,19}$/.test(offset)) throw badRequest(`offset ${JSON.stringify(offset)} is not a whole number`)
      const preview = intParam(request.query, 'preview', 1024 * 1024, 16, 16 * 1024 * 1024)
      return k.tools.record(topic, Number(partition), BigInt(offset), preview)
    },
  )

  app.get<{ Params: TopicParams; Querystring: Query }>(
    '/api/clusters/:cluster/topics/:topic/messages',
    async (request, reply) => {
      const k = cluster(request.params.cluster)
      const topic = topicName(request.params.topic)
      const q = browseQuery(request.query)
      const abort = new AbortController()
      const scan = k.tools.scan(topic, q, abort.signal)
      // The first event (or the error of a missing topic or partition) before the stream starts, so errors are JSON.
      const first = await scan.next()
      reply.hijack()
      const out = reply.raw
      out.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'Content-Type': 'application/x-ndjson; charset=utf-8',
        'Cache-Control': 'no-store',
      })
      out.on('close', () => abort.abort())
      const write = async (event: unknown) => {
        if (!out.write(`${JSON.stringify(event)}\n`)) {
          // Bounded buffering: wait for the browser to take what was sent.
          await new Promise<void>((resolve) => {
            const done = () => {
              out.off('drain', done)
              out.off('close', done)
              resolve()
            }
            out.on('drain', done)
            out.on('close', done)
          })
        }
      }
      try {
        if (!first.done) await write(first.value)
        for await (const event of scan) {
          if (out.destroyed) break
          await write(event)
        }
      } catch (error) {
        if (!out.destroyed) await write({ type: 'error', message: (error as Error).message })
      } finally {
        await scan.return(undefined)
        out.end()
      }
    },
  )
}
