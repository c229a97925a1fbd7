// Runs shell commands side by side and fails when any fails: `npm test`'s type check, ESLint and
// Prettier are each single-threaded, so on two cores running them together takes about half as
// long as one after another. Each command's output is held and printed whole once it ends, so
// the lines of one never interleave with another's; at the end, a failed command's last lines
// again and every command's status.
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
          resolve({ command, ok: code === 0, text, seconds });
        });
      }),
  ),
);
// CI's record keeps only the end of the output: a failed command's last lines are printed again
// there, after every command's status, so the failure is never cut off by another's output.
const TAIL_LINES = 80;
for (const { command, ok, text } of results) {
  if (ok) continue;
  const lines = text.replace(/\n$/, '').split('\n');
  process.stdout.write(`\n> ${command} failed; its last ${Math.min(TAIL_LINES, lines.length)} lines again:\n${lines.slice(-TAIL_LINES).join('\n')}\n`);
}
process.stdout.write(`\n${results.map(({ command, ok, seconds }) => `> ${ok ? 'ok' : 'FAILED'} (${seconds} s): ${command}`).join('\n')}\n`);
process.exit(results.every(({ ok }) => ok) ? 0 : 1);
