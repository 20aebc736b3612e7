// The contract's request function over Fastify's inject(): no socket, same parsing, routing and error handling.
import type { FastifyInstance } from 'fastify'
import { jsonOrUndefined, type RestRequest } from '../../support/rest-contract.ts'

export function injectRequester(app: FastifyInstance): RestRequest {
  return async (method, path, body, headers = {}) => {
    const hasType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
    const response = await app.inject({
      method: method as 'GET',
      url: path,
      headers: body !== undefined && !hasType ? { 'content-type': 'application/json', ...headers } : headers,
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
    const responseHeaders: Record<string, string | undefined> = {}
    for (const [name, value] of Object.entries(response.headers)) {
      responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value)
    }
    return {
      status: response.statusCode,
      headers: responseHeaders,
      text: response.body,
      body: jsonOrUndefined(response.body),
    }
  }
}
