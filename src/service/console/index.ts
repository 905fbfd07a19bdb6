export { ConsoleSessions, SESSION_COOKIE, consoleLoginFile, type ConsoleSession } from './console-sessions.js';
export { consoleCaller, CSRF_HEADER, endConsoleSession, signInCaller, startConsoleSession, type SignInBody } from './console-auth.js';
export { loadAssets, type Asset } from './assets.js';
export { WorksheetStore, WORKSHEETS_FILE, type Worksheet } from './worksheets.js';
export { ResultPages, FIRST_PAGE_ROWS, MAX_PAGE_ROWS, type PagedResult } from './result-pages.js';
