import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * Where a TypeScript file names a source: a string literal or template text containing a source name as
 * a word (`'airbnb'`, `'raw.hostaway'`, `'airbnb_cookie'`, `'./airbnb-accounts.service'`), or an import of
 * a source package (`@staysync/source-*`). Comments and identifiers do not count: a comment may give an
 * example, and what a file does with a source shows in its strings and imports.
 */
export function sourceMentions(code: string, sourceNames: readonly string[]): string[] {
  const word = new RegExp(`(^|[^a-z0-9])(${sourceNames.join('|')})([^a-z0-9]|$)`, 'i');
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteralLike(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node)
    ) {
      const text = node.text;
      if (text.startsWith('@staysync/source-') || word.test(text)) found.push(text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('file.ts', code, ts.ScriptTarget.ES2022, true));
  return found;
}

/** The production TypeScript files under `dirs` (specs excluded), relative to `root`, sorted. */
export function productionFiles(root: string, dirs: readonly string[]): string[] {
  return dirs
    .flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((file) =>
        join(root, dir, file),
      ),
    )
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts') && !file.includes('node_modules'))
    .map((file) => relative(root, file))
    .sort();
}

export function readSource(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}
