// Vite plugin for the production widget builds: in Lit's html`` and css`` templates, a run of
// whitespace that spans a line break (source indentation) becomes one space, and CSS comments
// go. Browsers render both the same outside pre-formatted text, and the widget has no template
// text inside such an element (the message preview's pre-wrap text comes from an expression,
// which is untouched). It keeps the script-tag bundle inside its size budget. TypeScript's
// parser finds the templates, so expressions and nested templates are never rewritten.
import ts from 'typescript';

const TAGS = new Set(['html', 'css', 'svg']);

export function collapseTemplateWhitespace() {
  return {
    name: 'hr-import:collapse-template-whitespace',
    apply: 'build',
    transform(code, id) {
      if (!/widget[\\/]src[\\/].*\.ts$/.test(id) || !/(html|css|svg)`/.test(code)) return null;
      const file = ts.createSourceFile(id, code, ts.ScriptTarget.Latest, true);
      const edits = [];
      const collapse = (node, css) => {
        // The literal text between the backtick (or `}`) and the next `${` (or backtick).
        const start = node.getStart(file) + 1;
        const end = node.getEnd() - (ts.isNoSubstitutionTemplateLiteral(node) || node.kind === ts.SyntaxKind.TemplateTail ? 1 : 2);
        const text = code.slice(start, end);
        // CSS comments (the why of a rule, for whoever reads the source) mean nothing to the browser.
        let collapsed = (css ? text.replace(/\/\*[\s\S]*?\*\//g, '') : text).replace(/[ \t]*\r?\n[ \t\r\n]*/g, ' ');
        // In CSS, spaces next to { } ; , mean nothing (a comma's inside a string would, but none has one).
        if (css) collapsed = collapsed.replace(/\s*([{};,])\s*/g, '$1').replace(/([{;][\w-]+):\s+/g, '$1:');
        if (collapsed !== text) edits.push([start, end, collapsed]);
      };
      const visit = (node) => {
        if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && TAGS.has(node.tag.text)) {
          const t = node.template;
          const css = node.tag.text === 'css';
          if (ts.isNoSubstitutionTemplateLiteral(t)) collapse(t, css);
          else {
            collapse(t.head, css);
            for (const span of t.templateSpans) collapse(span.literal, css);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
      if (!edits.length) return null;
      let out = code;
      for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + text + out.slice(end);
      return { code: out, map: null };
    },
  };
}
