import type { Page } from '../router.js';
import { dataPage } from './data.js';
import { jobsPage } from './jobs.js';
import { worksheetsPage } from './worksheets.js';
import { endpointsPage } from './endpoints.js';
import { tasksPage } from './tasks.js';
import { explorePage } from './explore.js';

/** The console's pages, in the navigation's order; the first is shown for an empty address. A new page adds one line. */
export const PAGES: readonly Page[] = [worksheetsPage, dataPage, jobsPage, endpointsPage, tasksPage, explorePage];
