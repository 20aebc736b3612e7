// The connector plugins this worker can run, found by class name or alias (Confluent's and Debezium's class
// names, short names), as Connect's plugin scanner would find them on plugin.path.
import type { SourceConnectorPlugin } from '../connectors/plugin.ts'
import { ErrorCodes, FlowscopeError, notFound } from '../errors.ts'

export class PluginRegistry {
  readonly #plugins: SourceConnectorPlugin[]

  constructor(plugins: SourceConnectorPlugin[]) {
    this.#plugins = plugins
  }

  all(): SourceConnectorPlugin[] {
    return [...this.#plugins]
  }

  find(name: string): SourceConnectorPlugin | undefined {
    const simple = (cls: string) => cls.slice(cls.lastIndexOf('.') + 1)
    return this.#plugins.find(
      (p) =>
        p.className === name ||
        p.aliases.includes(name) ||
        simple(p.className) === name ||
        p.aliases.some((a) => simple(a) === name),
    )
  }

  /** For connector configs: Connect's 400 with the list of available connectors. */
  forConnectorClass(name: string): SourceConnectorPlugin {
    const plugin = this.find(name)
    if (!plugin) {
      throw new FlowscopeError(
        ErrorCodes.BAD_REQUEST,
        `Failed to find any class that implements Connector and which name matches ${name}, available connectors are: ${this.#plugins
          .map(
            (p) =>
              `PluginDesc{klass=${p.className}, name='${p.className}', version='${p.version}', type=${p.type}, aliases=${p.aliases.join(',')}}`,
          )
          .join(', ')}`,
      )
    }
    return plugin
  }

  /** For the connector-plugins endpoints: 404 when unknown. */
  forPluginPath(name: string): SourceConnectorPlugin {
    const plugin = this.find(name)
    if (!plugin) throw notFound(`Unknown plugin ${name}.`)
    return plugin
  }
}
