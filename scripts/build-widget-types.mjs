// `npm run build:widget`: the .d.ts of @hr-import/widget (widget/dist/types/), from widget/tsconfig.build.json.
//
// The published types may reach nothing outside widget/ and import no package but Lit's: a host
// that installs the widget has only those. The build fails, naming the file, when they do.
// The API's types come from widget/src/api/schema.ts, generated from the BFF's OpenAPI document
// (npm run contract), so nothing here needs the BFF's sources.
import { rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const WIDGET = join(ROOT, 'widget');
const OUT = join(WIDGET, 'dist/types');
const ALLOWED_PACKAGES = /^(lit|@lit\/[a-z-]+)(\/|$)/;

const fail = (message) => {
  console.error(`build-widget-types: ${message}`);
  process.exit(1);
};

const configFile = join(WIDGET, 'tsconfig.build.json');
const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile);
if (error) fail(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(config, ts.sys, WIDGET, undefined, configFile);
const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });

const report = (diagnostics) => {
  if (!diagnostics.length) return;
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
  fail(`\n${ts.formatDiagnosticsWithColorAndContext(diagnostics, host)}`);
};
report(ts.getPreEmitDiagnostics(program));

const ours = program.getSourceFiles().filter((f) => !f.isDeclarationFile && !program.isSourceFileFromExternalLibrary(f));
const outside = ours.map((f) => resolve(f.fileName)).filter((f) => !f.startsWith(WIDGET + sep));
if (outside.length) fail(`the widget's types reach outside widget/: ${outside.map((f) => relative(ROOT, f)).join(', ')}`);

rmSync(OUT, { recursive: true, force: true });
const written = new Map();
const emitted = program.emit(undefined, (file, text) => written.set(resolve(file), text), undefined, true);
report(emitted.diagnostics);

// The translations are loaded by import() inside the widget; no public type names them, and
// their inferred types would name lit-html, which is Lit's dependency, not the widget's.
const translation = /[\\/]locales[\\/]generated[\\/](?!locale-codes)[^\\/]+\.d\.ts$/;
for (const file of written.keys()) if (translation.test(file)) written.delete(file);
// Types the compiler infers (a render() without a return type) name lit-html, Lit's own
// dependency; `lit` re-exports each of those modules under the same path, and is ours.
const LIT_EXPORTS = JSON.parse(ts.sys.readFile(join(ROOT, 'node_modules/lit/package.json'))).exports;
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
for (const [file, text] of written) ts.sys.writeFile(file, text);
console.log(`build-widget-types: ${written.size} declaration files in ${relative(ROOT, OUT)}`);
