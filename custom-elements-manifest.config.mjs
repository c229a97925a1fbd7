// `cem analyze` (run by `npm run build`) writes custom-elements.json, the manifest IDEs, Storybook
// and framework wrappers read. It describes the @hr-import/widget package as it ships: the one
// public element, its events and the entry, at the paths of their compiled files.

/** Where the manifest is written: the widget package's root, which ships it. */
export const MANIFEST_DIR = 'widget';
/** The package's root, relative to which a manifest gives module paths. */
const PACKAGE_ROOT = 'widget/';
/** The schema the manifest follows (the analyzer still writes 1.0.0; the output fits 2.1.0). */
export const SCHEMA_VERSION = '2.1.0';
/**
 * The elements a host uses. The others (the contact list, the role assigner, …) are parts
 * `<hr-import>` renders inside its shadow root: no API, so not listed.
 */
export const PUBLIC_TAGS = ['hr-import'];

/** `widget/src/x/y.ts` → `dist/module/x/y.js`: the compiled file the package ships for a source (Vite keeps one file per module). */
const shipped = (sourcePath) =>
  sourcePath
    .replace(PACKAGE_ROOT, '')
    .replace(/^src\//, 'dist/module/')
    .replace(/\.ts$/, '.js');

/**
 * Fits the manifest to how this codebase writes elements:
 * - tags are registered through `define('hr-x', Class)` (a no-op when already defined), which
 *   the analyzer does not recognise as `customElements.define`;
 * - `static properties` entries with `state: true` are internal state, not attributes;
 * - events are the ones documented with `@event`: the analyzer also guesses one per
 *   `dispatchEvent(new X(...))` from the variable's name, which would list junk names;
 * - private members are left out: they are no API.
 */
function hrImportConventions() {
  const tags = new Map(); // class name → tag
  const states = new Map(); // class name → Set of state fields
  return {
    name: 'hr-import-conventions',
    analyzePhase({ ts, node }) {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'define') {
        const [tag, ctor] = node.arguments;
        if (tag && ctor && ts.isStringLiteral(tag) && ts.isIdentifier(ctor)) tags.set(ctor.text, tag.text);
      }
      if (ts.isClassDeclaration(node) && node.name) {
        const fields = new Set();
        for (const member of node.members) {
          if (!ts.isPropertyDeclaration(member) || member.name?.getText() !== 'properties') continue;
          const init = member.initializer;
          if (!init || !ts.isObjectLiteralExpression(init)) continue;
          for (const prop of init.properties) {
            if (!ts.isPropertyAssignment(prop) || !ts.isObjectLiteralExpression(prop.initializer)) continue;
            const isState = prop.initializer.properties.some(
              (p) => ts.isPropertyAssignment(p) && p.name.getText() === 'state' && p.initializer.kind === ts.SyntaxKind.TrueKeyword,
            );
            if (isState) fields.add(prop.name.getText());
          }
        }
        states.set(node.name.text, fields);
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const decl of mod.declarations ?? []) {
          if (decl.kind !== 'class') continue;
          const tag = tags.get(decl.name);
          if (!tag) continue;
          decl.customElement = true;
          decl.tagName = tag;
          const state = states.get(decl.name) ?? new Set();
          const isPrivate = (name) => state.has(name) || name.startsWith('_');
          decl.attributes = (decl.attributes ?? []).filter((a) => !isPrivate(a.fieldName ?? a.name));
          decl.members = (decl.members ?? []).filter((m) => m.privacy !== 'private' && !isPrivate(m.name));
          decl.events = (decl.events ?? []).filter((e) => e.name && e.description);
          for (const key of ['attributes', 'members', 'events']) if (!decl[key].length) delete decl[key];
          mod.exports = [...(mod.exports ?? []), { kind: 'custom-element-definition', name: tag, declaration: { name: decl.name, module: mod.path } }];
        }
      }
    },
  };
}

/**
 * Fits the manifest to what the package ships and a host may use:
 * - only the modules of the public elements, of the event classes they dispatch, and the entry;
 * - module paths are those of the compiled files, relative to the package root;
 * - the entry lists only exports of those modules that are declarations (classes, constants);
 * - each event's type names its class and the module declaring it, so a wrapper generated from
 *   the manifest imports the class and gives `detail` its real type;
 * - an attribute's default is the text the attribute holds (the schema's rule), not source code:
 *   `'/api'` becomes `/api`, and a default named by a constant is left to the property's;
 * - the schema version of the format the result follows (2.1.0: the analyzer already writes
 *   its fields, e.g. `readonly`, under its 1.0.0 label).
 */
function shippedPackage() {
  return {
    name: 'hr-import-shipped-package',
    packageLinkPhase({ customElementsManifest: manifest }) {
      const publicTags = new Set(PUBLIC_TAGS);
      const isEntry = (mod) => mod.path === `${PACKAGE_ROOT}src/index.ts`;
      const isEventModule = (mod) => mod.path.startsWith(`${PACKAGE_ROOT}src/events/`);
      const isPublicElementModule = (mod) => (mod.declarations ?? []).some((d) => d.customElement && publicTags.has(d.tagName));
      // Modules of the other elements go; so do their helpers (row-window, rehearsal, …).
      manifest.modules = manifest.modules.filter((mod) => isEntry(mod) || isEventModule(mod) || isPublicElementModule(mod));

      const declared = new Map(); // shipped module path → names it declares
      for (const mod of manifest.modules) {
        mod.path = shipped(mod.path);
        declared.set(mod.path, new Set((mod.declarations ?? []).map((d) => d.name)));
      }
      for (const mod of manifest.modules) {
        for (const exp of mod.exports ?? []) {
          if (!exp.declaration?.module) continue;
          const module = exp.declaration.module;
          // The entry's re-exports name modules relative to it (`./events/x.js`); the others theirs.
          exp.declaration.module = module.startsWith('./') ? `dist/module/${module.slice(2)}` : shipped(module);
        }
        // Type-only exports (TokenProvider, HrImportStep) declare nothing the manifest describes.
        mod.exports = (mod.exports ?? []).filter((exp) => declared.get(exp.declaration?.module)?.has(exp.declaration.name));
      }

      const eventClasses = new Map(); // class name → shipped module path
      for (const mod of manifest.modules) {
        if (!mod.path.startsWith('dist/module/events/')) continue;
        for (const decl of mod.declarations ?? []) if (decl.kind === 'class') eventClasses.set(decl.name, mod.path);
      }
      for (const decl of manifest.modules.flatMap((mod) => mod.declarations ?? [])) {
        for (const event of decl.events ?? []) {
          const module = eventClasses.get(event.type?.text);
          if (module) event.type.references = [{ name: event.type.text, module, start: 0, end: event.type.text.length }];
        }
      }
      for (const decl of manifest.modules.flatMap((mod) => mod.declarations ?? [])) {
        for (const attribute of decl.attributes ?? []) {
          const literal = /^'([^']*)'$/.exec(attribute.default ?? '') ?? /^(-?\d+(?:\.\d+)?)$/.exec(attribute.default ?? '');
          if (literal) attribute.default = literal[1];
          else delete attribute.default;
        }
      }
      manifest.schemaVersion = SCHEMA_VERSION;
    },
  };
}

export default {
  globs: ['widget/src/index.ts', 'widget/src/components/**/*.ts', 'widget/src/events/hr-import-*.ts'],
  exclude: ['**/*.test.ts', '**/*.styles.ts'],
  outdir: MANIFEST_DIR,
  litelement: true,
  packagejson: false,
  plugins: [hrImportConventions(), shippedPackage()],
};
