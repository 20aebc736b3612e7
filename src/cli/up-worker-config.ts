// `flowscope up`'s worker configuration: the stack's bootstrap servers and REST port, the user's `--worker-config`
// file and CONNECT_* variables in, the WorkerConfig of the local worker out. Layers, lowest first: Connect's defaults
// < up's local defaults (the seed compose file's group.id and flush interval, one replica per internal topic on the
// local broker) < the file < CONNECT_* env < what up must force (the stack's bootstrap servers, the --rest-port
// listener).
import { loadWorkerConfig, type WorkerConfig } from '../config/worker-config.ts'
import { SINGLE_REPLICA_INTERNAL_TOPICS } from '../runtime/worker-settings.ts'

export interface UpWorkerConfigOptions {
  /** `--worker-config FILE`. */
  file?: string
  /** Read for CONNECT_* variables; defaults to process.env. */
  env?: NodeJS.ProcessEnv
  /** The Kafka cluster the stack runs against (local broker or --bootstrap-servers). */
  bootstrap: string[]
  /** The port the stack chose for the REST API (--rest-port). */
  restPort: number
  /** True when the stack started its own single broker (no --bootstrap-servers / KAFKA_BOOTSTRAP_SERVERS). */
  localBroker: boolean
}

/** up's defaults: the file and the environment win over every one of them. */
export function upLocalDefaults(localBroker: boolean): Record<string, string> {
  return {
    'group.id': 'compose-connect-group',
    'offset.flush.interval.ms': '10000',
    'rest.advertised.host.name': 'localhost',
    // A local single broker holds one replica of everything.
    ...(localBroker ? SINGLE_REPLICA_INTERNAL_TOPICS : {}),
  }
}

/** What up forces over the file and the environment: the worker must talk to the stack's Kafka on up's port. */
export function upOverrides(bootstrap: string[], restPort: number): Record<string, string> {
  return { 'bootstrap.servers': bootstrap.join(','), listeners: `http://127.0.0.1:${restPort}` }
}

export function upWorkerConfig(options: UpWorkerConfigOptions): WorkerConfig {
  return loadWorkerConfig({
    file: options.file,
    env: options.env,
    localDefaults: upLocalDefaults(options.localBroker),
    overrides: upOverrides(options.bootstrap, options.restPort),
  })
}
