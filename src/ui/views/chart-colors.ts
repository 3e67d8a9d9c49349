import type { Severity } from '../../detection/scoring.ts';

/** Theme colours for chart marks, read from theme.css (SVG attributes cannot use CSS variables). */
export interface ChartColors {
  text: string;
  muted: string;
  border: string;
  accent: string;
  panel: string;
  severity: Record<Severity, string>;
}

/** The current theme's colours; call again after the theme changes. */
export function chartColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const get = (name: string) => style.getPropertyValue(name).trim();
  return {
    text: get('--text'),
    muted: get('--muted'),
    border: get('--border'),
    accent: get('--accent'),
    panel: get('--panel'),
    severity: {
      critical: get('--sev-critical'),
      high: get('--sev-high'),
      medium: get('--sev-medium'),
      low: get('--sev-low'),
      info: get('--sev-info'),
    },
  };
}
