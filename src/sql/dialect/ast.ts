/**
 * The parser's AST, as plain JSON: an expression is an object with one key, its kind
 * (`{ column: { name: { name: 'a', quoted: false } } }`); identifiers are `{ name, quoted }`
 * objects that are not expressions. Transforms edit this tree in place.
 */
// biome-ignore lint/suspicious/noExplicitAny: the parser's AST is untyped JSON; transforms check kinds at run time
export type Node = Record<string, any>;
export interface Ident {
  name: string;
  quoted: boolean;
  [k: string]: unknown;
}

/** The kind of an expression node (its single key), or null for anything else. */
export function kindOf(v: unknown): string | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const keys = Object.keys(v);
  return keys.length === 1 && typeof (v as Node)[keys[0]] === 'object' && (v as Node)[keys[0]] !== null ? keys[0] : null;
}

export const isIdent = (v: unknown): v is Ident =>
  v !== null && typeof v === 'object' && typeof (v as Ident).name === 'string' && typeof (v as Ident).quoted === 'boolean';

export const ident = (name: string): Ident => ({ name, quoted: true, trailing_comments: [], span: null });

/**
 * Rewrites the tree bottom-up: `fn` sees each expression node after its children were rewritten
 * and returns a replacement or undefined (keep). Replacements are not visited again, so a
 * transform may wrap the node it was given without recursing forever.
 */
// biome-ignore lint/suspicious/noExplicitAny: returns whatever subtree it was given, rewritten in place
export function rewrite(tree: unknown, fn: (node: Node, kind: string) => Node | undefined): any {
  if (Array.isArray(tree)) {
    for (let i = 0; i < tree.length; i++) tree[i] = rewrite(tree[i], fn);
    return tree;
  }
  if (tree === null || typeof tree !== 'object') return tree;
  const o = tree as Node;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v !== null && typeof v === 'object') o[k] = rewrite(v, fn);
  }
  const kind = kindOf(o);
  return kind === null ? o : (fn(o, kind) ?? o);
}

/** Calls `fn` on every object of the tree (expressions, identifiers, clause bodies), parents first. */
export function visitObjects(
  tree: unknown,
  fn: (o: Node, key: string | null, parent: Node | null) => void,
  key: string | null = null,
  parent: Node | null = null,
): void {
  if (Array.isArray(tree)) {
    for (const item of tree) visitObjects(item, fn, key, parent);
    return;
  }
  if (tree === null || typeof tree !== 'object') return;
  fn(tree as Node, key, parent);
  for (const [k, v] of Object.entries(tree as Node)) if (v !== null && typeof v === 'object') visitObjects(v, fn, k, tree as Node);
}

export function lowerName(node: Node): string | null {
  const f = node.function;
  return f && typeof f.name === 'string' ? f.name.toLowerCase() : null;
}
