/**
 * Light/dark theme: follows the system (`prefers-color-scheme`) until the user picks one, then remembers the
 * pick in localStorage. Applied as `document.documentElement.dataset.theme`, which theme.css keys on.
 */
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'relaywatch.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

/** A stored value is used only if it is exactly one of the themes (storage can hold anything). */
export function storedTheme(value: string | null): Theme | null {
  return value === 'light' || value === 'dark' ? value : null;
}

function readStorage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode, file policies): fall back to the system theme
  }
}

function writeStorage(theme: Theme): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // the choice still applies for this session
  }
}

export class ThemeState {
  /** The user's explicit choice, or null to follow the system. */
  choice = $state<Theme | null>(storedTheme(readStorage()));
  systemDark = $state(false);
  readonly current = $derived<Theme>(this.choice ?? (this.systemDark ? 'dark' : 'light'));
  private readonly media = window.matchMedia(DARK_QUERY);
  private readonly onSystemChange = (event: MediaQueryListEvent) => {
    this.systemDark = event.matches;
    this.apply();
  };

  constructor() {
    this.systemDark = this.media.matches;
    this.media.addEventListener('change', this.onSystemChange);
    this.apply();
  }

  /** Switches to the other theme and remembers it. */
  toggle(): void {
    this.choice = this.current === 'dark' ? 'light' : 'dark';
    writeStorage(this.choice);
    this.apply();
  }

  destroy(): void {
    this.media.removeEventListener('change', this.onSystemChange);
  }

  private apply(): void {
    const root = document.documentElement;
    root.dataset.theme = this.current;
    root.style.colorScheme = this.current;
  }
}
