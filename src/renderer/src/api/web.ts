import type {
  CallInput,
  CallName,
  CallOutput,
  CallResult,
  EventName,
  EventPayloads,
  StudioApi
} from '../../../shared/contract/index'
import { ApiError, unwrap } from './client'
import { WS_PATH, type ServerMessage } from '../../../shared/ipc-channels'

type Listener = (payload: unknown) => void

export interface WebApiOptions {
  /** ws:// or wss:// URL of the contract socket, token included. */
  url: string
  /** Builds the socket; tests pass Node's `ws`. */
  createSocket?: (url: string) => WebSocket
  /** First delay before reconnecting after the socket drops (ms); doubles on each failure, up to 30 s. */
  retryMs?: number
}

/**
 * The web-mode transport: the same contract over one WebSocket. Calls carry an id and wait for the reply with
 * that id; events arrive unasked. If the socket drops, pending calls fail and the next call reconnects.
 */
export function webSocketApi(options: WebApiOptions): StudioApi & { close(): void } {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url))
  const pending = new Map<number, { resolve(r: CallResult<unknown>): void; reject(e: Error): void }>()
  const listeners = new Map<string, Set<Listener>>()
  let nextId = 1
  let socket: Promise<WebSocket> | null = null
  let closed = false
  let retry = options.retryMs ?? 1000

  const connect = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const ws = createSocket(options.url)
      let opened = false
      ws.onopen = () => {
        opened = true
        retry = options.retryMs ?? 1000
        resolve(ws)
      }
      ws.onmessage = (e) => receive(String(e.data))
      // Every error is followed by a close, which says what happened.
      ws.onerror = () => {}
      ws.onclose = () => {
        socket = null
        // The server refuses a missing or wrong token during the handshake, which a page sees as a failure to
        // connect at all.
        const why = opened
          ? 'The connection to the studio server was lost.'
          : 'Cannot connect to the studio server. Is `aestudio serve` still running? Open the address it ' +
            'printed, with its ?token=…'
        for (const p of pending.values()) p.reject(new ApiError({ code: 'unavailable', message: why }))
        pending.clear()
        reject(new ApiError({ code: 'unavailable', message: why }))
        // Keep events flowing to subscribers after a server restart.
        if (!closed && listeners.size > 0)
          setTimeout(() => !closed && !socket && void open().catch(() => {}), retry)
        retry = Math.min(retry * 2, 30_000)
      }
    })

  const open = (): Promise<WebSocket> => {
    if (!socket) {
      socket = connect()
      socket.catch(() => (socket = null))
    }
    return socket
  }

  function receive(text: string): void {
    let msg: ServerMessage
    try {
      msg = JSON.parse(text) as ServerMessage
    } catch {
      return
    }
    if ('id' in msg) {
      pending.get(msg.id)?.resolve(msg.result)
      pending.delete(msg.id)
    } else if ('event' in msg) {
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload)
    }
  }

  return {
    async invoke<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
      const ws = await open()
      const id = nextId++
      const result = new Promise<CallResult<unknown>>((resolve, reject) =>
        pending.set(id, { resolve, reject })
      )
      ws.send(JSON.stringify({ id, name, input }))
      return unwrap(await result) as CallOutput<K>
    },
    on<K extends EventName>(name: K, listener: (payload: EventPayloads[K]) => void): () => void {
      const set = listeners.get(name) ?? new Set<Listener>()
      listeners.set(name, set)
      set.add(listener as Listener)
      void open().catch(() => {})
      return () => void set.delete(listener as Listener)
    },
    close() {
      closed = true
      void socket?.then((ws) => ws.close()).catch(() => {})
    }
  }
}

/** The socket URL for the page being shown: same host, token from the page's `?token=` or the session. */
export function webSocketUrl(location: Location, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = token ? `?token=${encodeURIComponent(token)}` : ''
  return `${scheme}//${location.host}${WS_PATH}${query}`
}
