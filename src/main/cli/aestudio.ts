import { VERSION } from '../services/app-info'
import { EXIT, toCliError, type CliIO } from './command'
import { commands } from './commands/index'

const processIO = (): CliIO => ({
  out: (text) => void process.stdout.write(text + '\n'),
  err: (text) => void process.stderr.write(text + '\n'),
  interactive: Boolean(process.stderr.isTTY)
})

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    `aestudio ${VERSION}: train autoencoders on your own images, offline.`,
    '',
    'Usage: aestudio <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `aestudio <command> --help` for its options. Add --json for machine-readable output.',
    'Data lives in $AESTUDIO_HOME, or the app-data folder of "Autoencoder Studio" when it is unset.'
  ].join('\n')
}

/** Runs one command and returns the process exit code; never throws. */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText())
    return EXIT.ok
  }
  if (name === '--version' || name === '-v') {
    io.out(VERSION)
    return EXIT.ok
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    io.err(`Unknown command "${name}". Run \`aestudio --help\` to see the commands.`)
    return EXIT.usage
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}`)
    return EXIT.ok
  }
  try {
    const code = await command.run(rest, io)
    return typeof code === 'number' ? code : EXIT.ok
  } catch (err) {
    const e = toCliError(err)
    if (rest.includes('--json')) io.out(JSON.stringify({ error: e.message, exitCode: e.exitCode }))
    io.err(`aestudio ${name}: ${e.message}`)
    return e.exitCode
  }
}
