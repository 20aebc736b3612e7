// Runs the Kafka Connect REST contract (test/support/rest-contract.ts) against the server over the fake herder.
import { after } from 'node:test'
import { createRestServer } from '../../../src/rest/server.ts'
import { restContract } from '../../support/rest-contract.ts'
import { FAKE_SOURCE_CLASS, FakeHerder } from './fake-herder.ts'
import { injectRequester } from './inject.ts'

const app = createRestServer({
  herder: new FakeHerder(),
  host: '127.0.0.1',
  port: 0,
  maxBodyBytes: 64 * 1024,
  metrics: { render: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }) },
})
after(() => app.close())

restContract('Kafka Connect REST contract (fake herder, inject)', () => ({
  request: injectRequester(app),
  connectorClass: FAKE_SOURCE_CLASS,
  validConfig: () => ({
    'connector.class': FAKE_SOURCE_CLASS,
    'connection.url': 'jdbc:postgresql://localhost:5432/postgres',
    'poll.interval.ms': 100,
    'tasks.max': 1,
  }),
  invalidConfig: () => ({ 'poll.interval.ms': 'often' }),
  maxBodyBytes: 64 * 1024,
  metricsEnabled: true,
  settleMs: 0,
}))
