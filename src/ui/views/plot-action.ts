import { exposeChartAsImage } from './chart-a11y.ts';

/** What the `plot` action draws: a Plot figure for a width (null draws nothing), and how to announce it. */
export interface PlotSpec {
  render: (width: number) => Element | null;
  /** Name announced for the chart; defaults to the node's `data-chart-label`, else its section's heading. */
  label?: string;
  /** Told the drawn width first, so a caller can size its SQL bins to the pixels before it renders. */
  onwidth?: (width: number) => void;
  /** Told whether a figure was drawn (false: show an empty state that says why). */
  ondraw?: (drawn: boolean) => void;
}

/**
 * The one way every view hosts an Observable Plot figure: a Svelte action that renders at the node's width,
 * re-renders on resize, on theme change and when given a new spec, and announces the chart as one image.
 * Plot writes log text into SVG text nodes, never as HTML.
 */
export function plot(node: HTMLElement, spec: PlotSpec | PlotSpec['render']) {
  let current = typeof spec === 'function' ? { render: spec } : spec;
  let lastWidth = -1;
  const draw = () => {
    const width = Math.max(node.clientWidth, 240);
    if (width !== lastWidth) current.onwidth?.(width);
    lastWidth = width;
    const figure = current.render(width);
    if (figure) {
      const label = current.label ?? node.dataset.chartLabel ?? node.closest('section')?.querySelector('h2, h3')?.textContent ?? 'Chart';
      exposeChartAsImage(figure, label);
    }
    node.replaceChildren(...(figure ? [figure] : []));
    current.ondraw?.(figure !== null);
  };
  const resize = new ResizeObserver(draw);
  resize.observe(node);
  const theme = new MutationObserver(draw);
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  draw();
  return {
    update(next: PlotSpec | PlotSpec['render']) {
      current = typeof next === 'function' ? { render: next } : next;
      draw();
    },
    destroy() {
      resize.disconnect();
      theme.disconnect();
    },
  };
}

/** A CSS variable's current value (Plot needs concrete colours for SVG attributes). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
