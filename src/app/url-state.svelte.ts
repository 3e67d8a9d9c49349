/**
 * Deep links: the current view lives in the URL hash (`#/findings/<id>`, `#/host/<key>`, `#/service/<id>`, `#/campaigns/<id>`,
 * `#/overview`, `#/data`, `#/console`, …), so links can be shared and back/forward work. The hash is user input:
 * it is parsed defensively and anything unexpected falls back to no route at all.
 */
/** Views without a parameter. */
export const SIMPLE_VIEWS = [
  'overview', 'summary', 'data', 'console', 'assets', 'policy', 'catalog', 'readiness', 'egress', 'exercise',
] as const;
type SimpleView = (typeof SIMPLE_VIEWS)[number];

export type Route =
  | { view: SimpleView }
  | { view: 'findings'; findingId: string | null }
  | { view: 'host'; hostKey: string | null }
  | { view: 'service'; serviceId: string | null }
  | { view: 'campaigns'; campaignId: string | null };

export type ViewName = Route['view'];

const MAX_HASH_LENGTH = 600;
const MAX_SEGMENT_LENGTH = 256;
/** Finding ids (`rw-` + 16 hex digits), catalog service ids, host names and IPv4/IPv6 literals. */
const SEGMENT_PATTERNS = {
  findings: /^[a-z0-9][a-z0-9_.:-]*$/i,
  host: /^[a-z0-9_][a-z0-9_.:%-]*$/i,
  service: /^[a-z0-9*][a-z0-9_.-]*$/i,
  campaigns: /^campaign-[0-9a-f]{16}$/,
} as const;

function decodeSegment(raw: string | undefined): string | null | undefined {
  if (raw === undefined || raw === '') return null;
  if (raw.length > MAX_SEGMENT_LENGTH * 3) return undefined;
  try {
    const value = decodeURIComponent(raw);
    return value.length <= MAX_SEGMENT_LENGTH ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a location hash into a route; returns null when it is empty or not one we recognise. */
export function parseHash(hash: string): Route | null {
  if (hash.length > MAX_HASH_LENGTH) return null;
  const path = hash.replace(/^#\/?/, '');
  if (path === '') return null;
  const [view, rawValue, ...rest] = path.split('/');
  if (rest.length > 0 && rest.some((s) => s !== '')) return null;
  if ((SIMPLE_VIEWS as readonly string[]).includes(view)) return rawValue ? null : { view: view as SimpleView };
  if (view !== 'findings' && view !== 'host' && view !== 'service' && view !== 'campaigns') return null;
  const value = decodeSegment(rawValue);
  if (value === undefined) return null;
  if (value !== null && !SEGMENT_PATTERNS[view].test(value)) return null;
  if (view === 'findings') return { view, findingId: value };
  if (view === 'host') return { view, hostKey: value === null ? null : value.toLowerCase() };
  if (view === 'campaigns') return { view, campaignId: value };
  return { view, serviceId: value };
}

/** The hash for a route (with a leading `#/`); values are URI-encoded. */
export function formatRoute(route: Route): string {
  const withValue = (value: string | null) => (value === null ? `#/${route.view}` : `#/${route.view}/${encodeURIComponent(value)}`);
  switch (route.view) {
    case 'findings':
      return withValue(route.findingId);
    case 'host':
      return withValue(route.hostKey);
    case 'service':
      return withValue(route.serviceId);
    case 'campaigns':
      return withValue(route.campaignId);
    default:
      return `#/${route.view}`;
  }
}

/** Keeps `route` in step with the location hash; `go` adds a history entry, so back and forward work. */
export class UrlState {
  route = $state<Route>({ view: 'data' });
  private readonly onHashChange = () => {
    this.route = parseHash(location.hash) ?? this.fallback();
  };

  /** `fallback` picks the view for an empty or unrecognised hash (e.g. Data before anything is loaded). */
  constructor(private readonly fallback: () => Route) {
    this.route = parseHash(location.hash) ?? fallback();
    window.addEventListener('hashchange', this.onHashChange);
  }

  /** Navigates to a route, adding a history entry unless it is already current. */
  go(route: Route): void {
    const hash = formatRoute(route);
    this.route = route;
    if (location.hash !== hash) location.hash = hash;
  }

  /** Changes the route without a new history entry (e.g. closing a detail). */
  replace(route: Route): void {
    this.route = route;
    history.replaceState(history.state, '', formatRoute(route));
  }

  destroy(): void {
    window.removeEventListener('hashchange', this.onHashChange);
  }
}
