import type { Command } from '../command'
import { bench } from './bench'
import { clean } from './clean'
import { colorize } from './colorize'
import { compression } from './compression'
import { datasetsCommand } from './datasets'
import { demo } from './demo'
import { exportCommand } from './export'
import { importCommand } from './import'
import { info } from './info'
import { manifold } from './manifold'
import { morph } from './morph'
import { pca } from './pca'
import { recon } from './recon'
import { sample } from './sample'
import { serve } from './serve'
import { sweep } from './sweep'
import { evaluate } from './eval'
import { resume } from './resume'
import { runs } from './runs'
import { train } from './train'
import { vector } from './vector'

/** Every `aestudio` command; `aestudio --help` lists them in this order. */
export const commands: Command[] = [
  info,
  importCommand,
  datasetsCommand,
  train,
  resume,
  runs,
  evaluate,
  bench,
  morph,
  recon,
  sample,
  manifold,
  pca,
  compression,
  vector,
  sweep,
  colorize,
  clean,
  exportCommand,
  demo,
  serve
]
