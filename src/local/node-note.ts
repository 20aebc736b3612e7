// Run by `npm ci` / `npm install` (the postinstall script): says once which Node runs npm and which runs this
// project. npm on Node < 22 warns EBADENGINE for this package and the Kafka client (they need Node ≥ 22), though
// every script runs on the Node pinned by the `node` devDependency — node_modules/.bin comes first on the PATH of npm
// scripts. .npmrc sets loglevel=error to drop those false alarms; this note is what replaces them.

/** The note for npm's own Node (from npm_config_user_agent, "npm/11.6.0 node/v20.20.2 …"), or null if it is ours. */
export function nodeNote(userAgent: string | undefined, scriptsNode: string): string | null {
  const npmNode = /\bnode\/(v\d+\.\d+\.\d+)/.exec(userAgent ?? '')?.[1]
  if (!npmNode || npmNode === scriptsNode) return null
  return [
    `flowscope: npm runs on Node ${npmNode} (the node on PATH); this project's scripts (npm start, npm test,`,
    `  npx flowscope) run on Node ${scriptsNode}, pinned by the \`node\` devDependency. .npmrc hides npm's`,
    `  EBADENGINE warnings about Node ${npmNode} for that reason. To run a file yourself: npx node <file>.`,
  ].join('\n')
}

if (import.meta.main) {
  const note = nodeNote(process.env.npm_config_user_agent, process.version)
  if (note) console.error(note)
}
