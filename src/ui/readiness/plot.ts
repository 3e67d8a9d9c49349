import { exposeChartAsImage } from '../views/chart-a11y.ts';

/**
 * Svelte action that renders an Observable Plot figure into its node and re-renders when the figure
 * function changes (pass a new closure when the data changes). Plot writes log text into SVG text nodes.
 * The figure is announced as one image named by the node's `data-chart-label`, else its section's heading.
 */
export function plot(node: HTMLElement, render: (width: number) => Element | null) {
  let current = render;
  const draw = () => {
    const figure = current(Math.max(node.clientWidth, 240));
    if (figure) exposeChartAsImage(figure, node.dataset.chartLabel ?? node.closest('section')?.querySelector('h2, h3')?.textContent ?? 'Chart');
    node.replaceChildren(...(figure ? [figure] : []));
  };
  const resize = new ResizeObserver(draw);
  resize.observe(node);
  const theme = new MutationObserver(draw);
  theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  draw();
  return {
    update(next: (width: number) => Element | null) {
      current = next;
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
