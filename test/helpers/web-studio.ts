import { join } from 'node:path'
import { createHandlers } from '../../src/main/handlers/index'
import { EventHub } from '../../src/main/rpc/events'
import { openStudio } from '../../src/main/services/studio'
import { startWebServer } from '../../src/main/web/server'

/** Web mode as `aestudio serve` assembles it: a studio in `dir`/home, every handler, the server on 127.0.0.1. */
export async function serveStudio(dir: string, rendererDir: string, token: string) {
  const studio = openStudio({ home: join(dir, 'home') })
  const hub = new EventHub()
  const server = await startWebServer({
    handlers: createHandlers({ studio, events: hub }),
    events: hub,
    home: studio.paths.home,
    rendererDir,
    token
  })
  const close = async () => {
    await server.close()
    studio.close()
  }
  return { studio, hub, server, close }
}
