// Test only: runs the recipes against the BFF's TypeScript sources (with tsx) by resolving
// `@hr-import/bff` to bff/index.ts, so the recipe files stay exactly what a host writes. The
// packaging test runs the same files against the installed tarball with no loader at all.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      const entry = ${JSON.stringify(new URL('../../bff/index.ts', import.meta.url).href)};
      export async function resolve(specifier, context, next) {
        return next(specifier === '@hr-import/bff' ? entry : specifier, context);
      }`),
);
