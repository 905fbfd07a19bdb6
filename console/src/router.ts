import type { Me } from './api.js';

/**
 * One console page: mounted once into its own container the first time it is shown, then told the rest
 * of the address each time it is shown again (`#/jobs/my-job` shows page `jobs` with path `['my-job']`).
 */
export interface Page {
  readonly id: string;
  readonly title: string;
  mount(root: HTMLElement, me: Me): void | Promise<void>;
  show?(path: string[]): void;
  /** Called when another page is shown: stop timers and live updates. */
  hide?(): void;
}

/** `#/jobs/a%20b` → ['jobs', 'a b']; an empty or foreign hash → []. */
export function parseRoute(hash: string): string[] {
  if (!hash.startsWith('#/')) return [];
  return hash
    .slice(2)
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decodeURIComponent(part));
}

/** The address of a page (and what it shows), for links. */
export function href(pageId: string, ...path: string[]): string {
  return `#/${[pageId, ...path].map(encodeURIComponent).join('/')}`;
}

/** Shows one page at a time from the address's hash; the navigation links mark the current one. */
export class Router {
  private readonly containers = new Map<string, HTMLElement>();
  private current: Page | null = null;

  constructor(
    private readonly pages: readonly Page[],
    private readonly nav: HTMLElement,
    private readonly host: HTMLElement,
    private readonly me: Me,
  ) {
    for (const page of pages) {
      const link = document.createElement('a');
      link.href = href(page.id);
      link.textContent = page.title;
      link.dataset.page = page.id;
      nav.append(link);
    }
    addEventListener('hashchange', () => this.route());
  }

  route(): void {
    const [id, ...path] = parseRoute(location.hash);
    const page = this.pages.find((p) => p.id === id) ?? this.pages[0];
    if (this.current && this.current !== page) this.current.hide?.();
    for (const [pageId, el] of this.containers) el.hidden = pageId !== page.id;
    for (const link of this.nav.querySelectorAll<HTMLAnchorElement>('a')) {
      if (link.dataset.page === page.id) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.title = `${page.title} · recpipe`;
    let root = this.containers.get(page.id);
    if (!root) {
      root = document.getElementById(`page-${page.id}`) ?? this.host.appendChild(document.createElement('section'));
      root.id = `page-${page.id}`;
      root.classList.add('page');
      root.setAttribute('aria-label', page.title);
      root.hidden = false;
      this.containers.set(page.id, root);
      this.current = page;
      void Promise.resolve(page.mount(root, this.me)).then(() => page.show?.(path));
      return;
    }
    this.current = page;
    page.show?.(path);
  }
}
