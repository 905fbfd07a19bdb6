import type { Page } from '../router.js';
import { JobDetail } from './jobs/detail.js';
import { JobList } from './jobs/list.js';

/** The list refreshes this often while shown (jobs started elsewhere appear, running ones move on). */
const LIST_REFRESH_MS = 3000;

let list: JobList;
let detail: JobDetail;
let timer = 0;

const stopTimers = () => {
  clearInterval(timer);
  timer = 0;
  detail.hide();
};

/** Training jobs: `#/jobs` lists them, `#/jobs/<name>` shows one. */
export const jobsPage: Page = {
  id: 'jobs',
  title: 'Training jobs',
  mount(root) {
    list = new JobList();
    detail = new JobDetail();
    root.classList.add('jobs-page');
    root.append(list.root, detail.root);
  },
  show(path) {
    stopTimers();
    const name = path[0];
    list.root.hidden = name !== undefined;
    detail.root.hidden = name === undefined;
    if (name !== undefined) {
      detail.show(name);
      return;
    }
    void list.refresh();
    timer = window.setInterval(() => void list.refresh(), LIST_REFRESH_MS);
  },
  hide: stopTimers,
};
