// `cem analyze` (run by `npm run build`) writes widget/custom-elements.json, the manifest IDEs, Storybook
// and framework wrappers read. Only the elements' sources are analyzed, not tests or styles.

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

export default {
  globs: ['widget/src/components/**/*.ts'],
  exclude: ['**/*.test.ts', '**/*.styles.ts'],
  outdir: 'widget',
  litelement: true,
  packagejson: false,
  plugins: [hrImportConventions()],
};
