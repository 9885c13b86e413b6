import type { Command } from '../command'
import { info } from './info'

/** Every `aestudio` command; `aestudio --help` lists them in this order. */
export const commands: Command[] = [info]
