// What a page that embeds the widget downloads before it can show anything: widget/dist/browser/hr-import.js
// and every chunk it imports statically (chunks behind a dynamic import(), such as the CSV upload
// and each translation, load on first use and are reported apart), each minified and gzipped.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;

/** @returns {{ initial: number, files: string[], lazy: { file: string, bytes: number }[] }} */
export function widgetBundleSize(dist) {
  const files = [];
  const visit = (name) => {
    if (files.includes(name)) return;
    files.push(name);
    const code = readFileSync(join(dist, name), 'utf8');
    // Static imports only: `import"./x.js"` and `from"./x.js"` (minified output, no spaces needed).
    for (const m of code.matchAll(/(?:\bimport|\bfrom)\s*["']\.\/([^"']+\.js)["']/g)) visit(m[1]);
  };
  visit('hr-import.js');
  const lazy = readdirSync(dist)
    .filter((f) => f.endsWith('.js') && !files.includes(f))
    .map((file) => ({ file, bytes: gz(join(dist, file)) }));
  return { initial: files.reduce((n, f) => n + gz(join(dist, f)), 0), files, lazy };
}
