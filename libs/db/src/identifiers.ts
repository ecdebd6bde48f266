/** `"name"`, with embedded quotes doubled. */
export const quoteIdent = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/** `schema.table` → `"schema"."table"`. */
export const qualifiedName = (table: string): string => table.split('.').map(quoteIdent).join('.');
