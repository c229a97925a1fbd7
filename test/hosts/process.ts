/** A host server started as its own process from a recipe file, with the BFF's settings in its environment. */
import { spawn, type ChildProcess } from 'node:child_process';

export const HOST_API_KEY = 'host-api-key-0123456789';
export const HOST_SECRET = 'host-secret-0123456789-0123456789-abcdef';

export interface Host {
  url: string;
  apiKey: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startHost(
  file: string,
  options: { dataDir: string; smtpUrl: string; nodeArgs?: string[]; cwd?: string; env?: Record<string, string> },
): Promise<Host> {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), file], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HR_IMPORT_API_KEY: HOST_API_KEY,
      HR_IMPORT_SECRET: HOST_SECRET,
      DATA_DIR: options.dataDir,
      SMTP_URL: options.smtpUrl,
      HR_IMPORT_ACCEPT_URL: 'http://127.0.0.1/accept',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${file} did not start within 20 s:\n${output}`)), 20_000);
    const check = () => {
      const m = /listening on (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${file} exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: HOST_API_KEY,
    output: () => output,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          ok();
        });
        child.kill('SIGTERM');
      }),
  };
}
