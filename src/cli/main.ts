import { analyzeCommand, ANALYZE_USAGE } from './analyze.ts';
import { generateCommand, GENERATE_USAGE } from './generate.ts';
import { exportCommand, EXPORT_USAGE } from './export.ts';

const USAGE = `Relaywatch — find command-and-control traffic hiding in legitimate web services.

Usage:
${ANALYZE_USAGE}

${GENERATE_USAGE}

${EXPORT_USAGE}

Run 'relaywatch help' for this text.`;

/** The CLI entry point; returns the process exit code (0 ok, 2 bad input or usage). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'analyze':
        return await analyzeCommand(rest);
      case 'generate':
        return await generateCommand(rest);
      case 'export':
        return await exportCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return 0;
      default:
        process.stderr.write(`relaywatch: unknown command '${command}'\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`relaywatch: ${(error as Error).message}\n`);
    return 2;
  }
}

