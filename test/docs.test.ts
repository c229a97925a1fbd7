/**
 * The documentation stays true to the repository: README.md (the short front door) and docs/.
 * Links reach a file and, where they name one, a heading; every npm script and environment
 * variable the docs name exists; the examples use the targets the demo seeds; the original
 * design, which lives outside the repository, is never named as a file in it. Reads files only:
 * no network, no browser. The recipes and framework usage are checked against their running
 * copies by test/hosts/recipes.test.ts and test/framework-types.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DEMO_TARGETS } from '../bff/demo.js';

const ROOT = resolve(import.meta.dirname, '..');
const README_MAX_LINES = 250;

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', '.git'].includes(entry.name) ? [] : filesUnder(path, keep);
    return keep(path) ? [path] : [];
  });
}

const DOCS = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), (p) => p.endsWith('.md'))];
const text = new Map(DOCS.map((file) => [file, readFileSync(file, 'utf8')]));
const name = (file: string) => relative(ROOT, file);

/** The lines outside fenced code blocks, with their numbers. */
function prose(markdown: string): { line: string; number: number }[] {
  let fence: string | null = null;
  const out: { line: string; number: number }[] = [];
  markdown.split('\n').forEach((line, i) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      return;
    }
    if (fence === null) out.push({ line, number: i + 1 });
  });
  return out;
}

/** GitHub's heading anchors: the heading's text, lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const { line } of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const textOnly = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/[`*]/g, '');
    const base = textOnly
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** Inline links `[text](target)` outside code (fenced blocks and code spans). */
function links(markdown: string): { target: string; number: number }[] {
  return prose(markdown).flatMap(({ line, number }) =>
    [...line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({ target: m[1]!, number })),
  );
}

describe('the documentation', () => {
  it('keeps the README a short front door', () => {
    const lines = text.get(join(ROOT, 'README.md'))!.trimEnd().split('\n').length;
    expect(lines, `README.md has ${lines} lines`).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const [file, markdown] of text) {
      for (const { target, number } of links(markdown)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const to = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        const where = `${name(file)}:${number} → ${target}`;
        if (!existsSync(to)) {
          broken.push(`${where}: no such file`);
          continue;
        }
        if (anchor === undefined) continue;
        if (statSync(to).isDirectory() || !to.endsWith('.md')) {
          broken.push(`${where}: an anchor into something that is not a Markdown file`);
          continue;
        }
        const markdownThere = text.get(to) ?? readFileSync(to, 'utf8');
        if (!anchors(markdownThere).has(decodeURIComponent(anchor))) broken.push(`${where}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names only source files that exist', () => {
    // Build outputs exist only after a build; the French files are what "to add a language" makes.
    const made = (path: string) => path.includes('/dist/') || path === 'widget/custom-elements.json' || /\/fr\.(ts|xlf)$/.test(path);
    const missing: string[] = [];
    for (const [file, markdown] of text) {
      for (const m of markdown.matchAll(
        /\b(?:bff|contract|test|widget|bench|scripts|migrations|demo)\/[\w./-]+\.(?:ts|mjs|js|json|md|html|mjml|tsx|vue|xlf)\b/g,
      )) {
        if (!made(m[0]) && !existsSync(join(ROOT, m[0]))) missing.push(`${name(file)}: ${m[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names only npm scripts that package.json has', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const unknown: string[] = [];
    for (const [file, markdown] of text) {
      for (const m of markdown.matchAll(/\bnpm (?:run ([\w:.-]+)|(start|test)\b)/g)) {
        const script = m[1] ?? m[2]!;
        if (!scripts.includes(script)) unknown.push(`${name(file)}: npm ${m[1] ? 'run ' : ''}${script}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  // Variables the code reads: `process.env.X`, `env.X`, `env['X']`, and bff/config.ts's `e('X')`.
  const code = [
    ...filesUnder(join(ROOT, 'bff'), (p) => /\.(ts|mjs|js)$/.test(p)),
    ...filesUnder(join(ROOT, 'scripts'), (p) => /\.(ts|mjs|js)$/.test(p)),
    ...filesUnder(join(ROOT, 'bench'), (p) => /\.(ts|mjs|js)$/.test(p)),
    ...filesUnder(join(ROOT, 'test'), (p) => /\.(ts|mjs|js)$/.test(p)),
    ...readdirSync(ROOT)
      .filter((f) => /\.(ts|mjs|js)$/.test(f))
      .map((f) => join(ROOT, f)),
  ];
  const read = new Set(
    code.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/(?:\benv\.([A-Z][A-Z0-9_]*)|\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]|\be\(['"]([A-Z][A-Z0-9_]*)['"]\))/g)].map(
        (m) => m[1] ?? m[2] ?? m[3]!,
      ),
    ),
  );

  it('names only environment variables the code reads', () => {
    // What reads as a variable of ours: the deployment's, the tests' and the benchmarks' prefixes,
    // and PORT / HOST in code spans. Names inside a providers file's { "env": … } are the
    // operator's own and are not checked.
    const VARIABLE =
      /\b(HR_IMPORT_[A-Z0-9_]*[A-Z0-9]|DATABASE_[A-Z0-9_]*[A-Z0-9]|DATA_DIR|SMTP_URL|REDIS_URL|TEST_PG_URL|CHROME_PATH|BENCH_[A-Z0-9_]*[A-Z0-9]|SEARCH_BEFORE|SYNC_BEFORE)\b|`(PORT|HOST)`/g;
    const unread: string[] = [];
    for (const [file, markdown] of text) {
      for (const m of markdown.matchAll(VARIABLE)) {
        const variable = m[1] ?? m[2]!;
        if (!read.has(variable)) unread.push(`${name(file)}: ${variable}`);
      }
    }
    expect(unread).toEqual([]);
    expect(read.has('HR_IMPORT_API_KEY'), 'the scan finds bff/config.ts reading HR_IMPORT_API_KEY').toBe(true);
  });

  it('documents every variable the server reads in the configuration reference', () => {
    const operations = text.get(join(ROOT, 'docs/operations.md'))!;
    const server = ['bff/config.ts', 'bff/standalone.ts'].flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/(?:\benv\.([A-Z][A-Z0-9_]*)|\be\(['"]([A-Z][A-Z0-9_]*)['"]\))/g)].map((m) => m[1] ?? m[2]!),
    );
    expect(server.length).toBeGreaterThan(10);
    expect([...new Set(server)].filter((variable) => !operations.includes(`\`${variable}\``))).toEqual([]);
  });

  it('uses in its examples the targets the demo seeds', () => {
    const seeded = new Set(DEMO_TARGETS.map((t) => `${t.type}/${t.id}`));
    const other: string[] = [];
    for (const [file, markdown] of text) {
      for (const m of markdown.matchAll(/["']?type["']?\s*:\s*["'](organization|lab|challenge)["']\s*,\s*["']?id["']?\s*:\s*["']([^"']+)["']/g)) {
        if (!seeded.has(`${m[1]}/${m[2]}`)) other.push(`${name(file)}: ${m[1]} ${m[2]}`);
      }
    }
    expect(other).toEqual([]);
  });

  it('never names the original design as a file of this repository', () => {
    const named: string[] = [];
    for (const [file, markdown] of text) {
      markdown.split('\n').forEach((line, i) => {
        if (/DESIGN\.md/.test(line) && !/outside (this|the) repository/.test(line)) named.push(`${name(file)}:${i + 1}`);
      });
    }
    expect(named).toEqual([]);
  });
});
