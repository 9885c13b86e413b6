import type { Command } from '../command'
import { datasetsCommand } from './datasets'
import { importCommand } from './import'
import { info } from './info'
import { serve } from './serve'

/** Every `aestudio` command; `aestudio --help` lists them in this order. */
export const commands: Command[] = [info, importCommand, datasetsCommand, serve]
