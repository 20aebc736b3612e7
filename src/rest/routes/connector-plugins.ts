// /connector-plugins: installed plugins, one plugin's config definition, and config validation without storing.
import type { FastifyInstance } from 'fastify'
import { badRequest } from '../../errors.ts'
import type { Herder } from '../../runtime/herder.ts'
import { configMap, queryFlag } from '../request.ts'

const ALIAS_SUFFIX = 'Connector'

export function connectorPluginRoutes(app: FastifyInstance, herder: Herder): void {
  app.get<{ Querystring: Record<string, unknown> }>('/connector-plugins', async (request) =>
    herder.plugins(queryFlag(request.query.connectorsOnly, true)),
  )

  app.get<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config', async (request) =>
    herder.pluginConfig(request.params.plugin),
  )

  app.put<{ Params: { plugin: string } }>('/connector-plugins/:plugin/config/validate', async (request) => {
    const plugin = request.params.plugin
    const config = configMap(request.body)
    const included = config['connector.class']
    if (included === undefined) {
      throw badRequest(`Connector config ${javaMapString(config)} contains no connector type`)
    }
    // As upstream: the body's class must end with the URL's plugin name, either one with or without "Connector".
    if (!normalized(included).endsWith(normalized(plugin))) {
      throw badRequest(`Included connector type ${included} does not match request type ${plugin}`)
    }
    return herder.validateConnectorConfig(included, config)
  })
}

function normalized(plugin: string): string {
  return plugin.endsWith(ALIAS_SUFFIX) && plugin.length > ALIAS_SUFFIX.length
    ? plugin.slice(0, -ALIAS_SUFFIX.length)
    : plugin
}

/** How Connect prints the config in its message (Java's Map.toString). */
function javaMapString(config: Record<string, string>): string {
  return `{${Object.entries(config)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ')}}`
}
