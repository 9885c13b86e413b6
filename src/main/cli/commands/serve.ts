import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHandlers } from '../../handlers/index'
import { JobHost } from '../../jobs/host'
import { EventHub } from '../../rpc/events'
import { openStudio } from '../../services/studio'
import { startWebServer } from '../../web/server'
import { CliError, EXIT, numberOption, parseCommandArgs, type Command } from '../command'

const usage = 'aestudio serve [--host 127.0.0.1] [--port 0] [--open] [--json]'

/** The built renderer: `npm run serve` (or `npx electron-vite build`) puts it here; AESTUDIO_RENDERER_DIR overrides. */
const rendererDir = (): string =>
  process.env.AESTUDIO_RENDERER_DIR?.trim() ||
  fileURLToPath(new URL('../../../../out/renderer', import.meta.url))

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])

function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]]
  spawn(cmd, args, { detached: true, stdio: 'ignore' })
    .on('error', () => {})
    .unref()
}

export const serve: Command = {
  name: 'serve',
  summary: 'Serve the studio to a web browser on this machine (the same app, over a local WebSocket)',
  usage,
  async run(args, io) {
    const { values } = parseCommandArgs(
      args,
      { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string' }, open: { type: 'boolean' } },
      usage
    )
    const port = numberOption('port', values.port, 0)!
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError(`--port must be a whole number from 0 to 65535, got "${values.port}"`, EXIT.usage)
    const renderer = rendererDir()
    if (!existsSync(join(renderer, 'index.html')))
      throw new CliError(
        `The app is not built yet (${renderer} is missing). Run \`npm run serve\`, which builds and serves, ` +
          'or `npx electron-vite build` first.'
      )
    const studio = openStudio()
    const events = new EventHub()
    const jobs = new JobHost(studio.paths.home)
    const server = await startWebServer({
      handlers: createHandlers({ studio, events }, jobs),
      events,
      home: studio.paths.home,
      rendererDir: renderer,
      host: values.host,
      port
    }).catch((err: NodeJS.ErrnoException) => {
      studio.close()
      const why = err.code === 'EADDRINUSE' ? `port ${port} is already in use` : err.message
      throw new CliError(`Cannot listen on ${values.host}:${port}: ${why}.`)
    })
    if (values.json) io.out(JSON.stringify({ url: server.url, openUrl: server.openUrl, token: server.token }))
    else {
      io.out(
        `Autoencoder Studio is being served. Open this address in a browser (it holds the access token):`
      )
      io.out(`  ${server.openUrl}`)
      io.out(`Data directory: ${studio.paths.home}`)
      if (!LOOPBACK.has(values.host!))
        io.out(`Listening on ${values.host}: anyone who can reach it and has the token can use the studio.`)
      io.out('Press Ctrl+C to stop.')
    }
    if (values.open) openBrowser(server.openUrl)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await server.close()
    jobs.killAll()
    studio.close()
    if (!values.json) io.out('Stopped.')
    return EXIT.ok
  }
}
