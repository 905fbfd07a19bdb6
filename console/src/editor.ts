import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { type SQLNamespace, sql } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { snowflake } from './dialect.js';

export interface SqlEditor {
  readonly view: EditorView;
  /** The selected text, or the whole document when nothing is selected, and the line it starts on. */
  runnable(all: boolean): { text: string; firstLine: number };
  setText(text: string): void;
  /** Object names completed as the user types (database → schema → table → columns). */
  setSchema(schema: SQLNamespace): void;
  /** Marks an error at a 1-based document line (and column when known); clears marks when null. */
  markError(at: { line: number; column?: number; message: string } | null): void;
}

export function createEditor(parent: HTMLElement, handlers: { run: (all: boolean) => void; changed: () => void }): SqlEditor {
  const language = new Compartment();
  const sqlLanguage = (schema: SQLNamespace) => sql({ dialect: snowflake, schema, upperCaseKeywords: true });
  const runKeys = Prec.highest(
    keymap.of([
      { key: 'Mod-Enter', run: () => (handlers.run(false), true) },
      { key: 'Mod-Shift-Enter', run: () => (handlers.run(true), true) },
    ]),
  );
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        runKeys,
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        lintGutter(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        language.of(sqlLanguage({})),
        placeholder('select * from movielens.public.ratings limit 10;'),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': 'SQL editor' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) handlers.changed();
        }),
      ],
    }),
  });
  return {
    view,
    runnable(all) {
      const { state } = view;
      const range = state.selection.main;
      if (all || range.empty) return { text: state.doc.toString(), firstLine: 1 };
      return { text: state.sliceDoc(range.from, range.to), firstLine: state.doc.lineAt(range.from).number };
    },
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    setSchema(schema) {
      view.dispatch({ effects: language.reconfigure(sqlLanguage(schema)) });
    },
    markError(at) {
      const { state } = view;
      if (at === null) return view.dispatch(setDiagnostics(state, []));
      const line = state.doc.line(Math.min(Math.max(1, at.line), state.doc.lines));
      const from = at.column === undefined ? line.from : Math.min(line.to, line.from + Math.max(0, at.column - 1));
      const to = at.column === undefined || from === line.to ? line.to : wordEnd(line.text, from - line.from) + line.from;
      const diagnostic: Diagnostic = { from, to: Math.max(to, from), severity: 'error', message: at.message };
      view.dispatch(setDiagnostics(state, [diagnostic]), { selection: { anchor: from }, scrollIntoView: true });
    },
  };
}

function wordEnd(text: string, start: number): number {
  const m = /^\S+/.exec(text.slice(start));
  return start + (m ? m[0].length : 0);
}
