// `npm run build:widget`: the .d.ts of @hr-import/widget (widget/dist/types/), from widget/tsconfig.build.json.
//
// The published types may reach nothing outside widget/ but the contract's generated types, and
// import no package but Lit's: a host that installs the widget has only those. The build fails,
// naming the file, when they do. The API's types come from contract/openapi-types.ts, generated
// from the BFF's OpenAPI document (npm run contract), so nothing here needs the BFF's sources;
// its declaration is placed in the package (dist/types/contract/) and the imports of it rewritten.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const WIDGET = join(ROOT, 'widget');
const OUT = join(WIDGET, 'dist/types');
const ALLOWED_PACKAGES = /^(lit|@lit\/[a-z-]+)(\/|$)/;
/** The one file outside widget/ that the widget's types may import: types only, importing nothing. */
const CONTRACT_TYPES = 'contract/openapi-types.d.ts';
/** TypeScript 7's compiler, as `npm run check` uses it (docs/decisions/0020-typescript-7-compiler-beside-the-5-9-api.md). */
const TSC = join(ROOT, 'node_modules/typescript-7/bin/tsc');

const fail = (message) => {
  console.error(`build-widget-types: ${message}`);
  process.exit(1);
};

/** Every file below `dir`, by its path. */
const filesBelow = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

// Type-checked and emitted by the compiler into a scratch folder (rootDir .., laid out below): a
// declaration for a source outside widget/src/ other than the contract's types means the widget's
// types reach outside the widget.
const emittedFiles = new Map();
const scratch = mkdtempSync(join(tmpdir(), 'hr-import-widget-types-'));
try {
  const compiled = spawnSync(process.execPath, [TSC, '-p', join(WIDGET, 'tsconfig.build.json'), '--outDir', scratch, '--singleThreaded'], { stdio: 'inherit' });
  if (compiled.status !== 0) fail('the widget does not compile (above)');
  const emitted = filesBelow(scratch).map((file) => relative(scratch, file).split(sep).join('/'));
  const outside = emitted.filter((file) => !file.startsWith('widget/src/') && file !== CONTRACT_TYPES);
  if (outside.length) fail(`the widget's types reach outside widget/: ${outside.join(', ')}`);
  for (const file of emitted) emittedFiles.set(join(OUT, file), readFileSync(join(scratch, file), 'utf8'));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
rmSync(OUT, { recursive: true, force: true });

// The compiler writes below dist/types/ as the sources lie below the repository (rootDir ..):
// widget/src/ becomes the top of dist/types/, contract/ stays a folder of it, and each relative
// import is pointed at where its target now is.
const place = (file) => (file.startsWith(join(OUT, 'widget/src') + sep) ? join(OUT, relative(join(OUT, 'widget/src'), file)) : file);
const written = new Map();
for (const [file, text] of emittedFiles) {
  const moved = text.replace(/(\bfrom\s+|\bimport\(\s*)(['"])(\.\.?\/[^'"]+)\2/g, (_whole, lead, quote, specifier) => {
    const target = relative(dirname(place(file)), place(resolve(dirname(file), specifier)))
      .split(sep)
      .join('/');
    return `${lead}${quote}${target.startsWith('.') ? target : `./${target}`}${quote}`;
  });
  written.set(place(file), moved);
}
const strays = [...written.keys()].filter((f) => !f.startsWith(OUT + sep) || f.startsWith(join(OUT, 'widget') + sep));
if (strays.length) fail(`declarations outside the package's layout: ${strays.map((f) => relative(ROOT, f)).join(', ')}`);

// The translations are loaded by import() inside the widget; no public type names them, and
// their inferred types would name lit-html, which is Lit's dependency, not the widget's.
const translation = /[\\/]locales[\\/]generated[\\/](?!locale-codes)[^\\/]+\.d\.ts$/;
for (const file of written.keys()) if (translation.test(file)) written.delete(file);
// Types the compiler infers (a render() without a return type) name lit-html, Lit's own
// dependency; `lit` re-exports each of those modules under the same path, and is ours.
const LIT_EXPORTS = JSON.parse(readFileSync(join(ROOT, 'node_modules/lit/package.json'), 'utf8')).exports;
for (const [file, text] of written) {
  written.set(
    file,
    text.replace(/import\("lit-html(\/[^"]+)?"\)/g, (whole, path = '') => {
      if (!LIT_EXPORTS[`.${path}`]) fail(`${relative(ROOT, file)} names lit-html${path}, which lit does not re-export`);
      return `import("lit${path}")`;
    }),
  );
}
for (const [file, text] of written) {
  if (/locales\/generated\/(?!locale-codes)/.test(text)) fail(`${relative(ROOT, file)} names a translation module`);
  for (const [, a, b] of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    const specifier = a ?? b;
    // The framework entries name their framework, an optional peer dependency of the package.
    const peer = { 'react.d.ts': 'react', 'vue.d.ts': 'vue' }[relative(OUT, file)];
    if (!specifier.startsWith('.') && !ALLOWED_PACKAGES.test(specifier) && specifier !== peer) {
      fail(`${relative(ROOT, file)} imports ${specifier}, which a host installing the widget does not have`);
    }
  }
}
for (const [file, text] of written) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
console.log(`build-widget-types: ${written.size} declaration files in ${relative(ROOT, OUT)}`);
