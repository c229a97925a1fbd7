// `npm run build:bff`: @hr-import/bff's dist/ from what `tsc -b bff` compiled into dist/tsc/.
//
// The BFF's project and the contract's are compiled (and type-checked) once, by the same `tsc -b`
// that `npm run check` runs; a second compile just for the package cost 21 CPU-seconds of every
// clean test run. The package carries the contract and the migrations it imports, laid out as
// the sources lie below the repository, so that the relative imports tsc kept still resolve:
// dist/bff/, dist/contract/, dist/migrations/ and dist/widget/src/model/ (the invite text).
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bff/dist');
// rootDir '..' for the BFF's project: its output mirrors the repository. The contract's project
// has its own folder as root, so its files go one level down.
const parts = [
  [join(ROOT, 'dist/tsc/bff'), OUT],
  [join(ROOT, 'dist/tsc/contract'), join(OUT, 'contract')],
];
const compiled = (file) => /\.(js|d\.ts)$/.test(file);

mkdirSync(OUT, { recursive: true });
for (const [from, to] of parts) {
  if (!existsSync(from)) {
    console.error(`build-bff: ${from} is missing; run tsc -b bff first.`);
    process.exit(1);
  }
  cpSync(from, to, { recursive: true, filter: (file) => !file.endsWith('.tsbuildinfo') && (!file.includes('.') || compiled(file)) });
}
