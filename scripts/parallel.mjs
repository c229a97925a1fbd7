// Runs shell commands side by side and fails when any fails: `npm test`'s type check, ESLint and
// Prettier are each single-threaded, so on two cores running them together takes about half as
// long as one after another. Each command's output is held and printed whole once it ends, so
// the lines of one never interleave with another's.
import { spawn } from 'node:child_process';

const commands = process.argv.slice(2);
if (!commands.length) {
  console.error('usage: node scripts/parallel.mjs <command> [<command> …]');
  process.exit(2);
}

const started = performance.now();
const results = await Promise.all(
  commands.map(
    (command) =>
      new Promise((resolve) => {
        const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } });
        const output = [];
        child.stdout.on('data', (chunk) => output.push(chunk));
        child.stderr.on('data', (chunk) => output.push(chunk));
        child.on('close', (code, signal) => {
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          const text = Buffer.concat(output).toString();
          process.stdout.write(
            `> ${command} (${code === 0 ? 'ok' : `failed: ${signal ?? code}`}, ${seconds} s)\n${text}${text && !text.endsWith('\n') ? '\n' : ''}`,
          );
          resolve(code === 0);
        });
      }),
  ),
);
process.exit(results.every(Boolean) ? 0 : 1);
