// Versions the worker reports: its own, and the Kafka Connect REST/metrics version it is compatible with.
import { readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

export const FLOWSCOPE_VERSION: string = pkg.version
/** The Apache Kafka Connect release whose REST API and metric names flowscope's worker follows. */
export const CONNECT_COMPAT_VERSION = '4.1.1'
