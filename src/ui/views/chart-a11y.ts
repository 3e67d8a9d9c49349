/**
 * Makes an Observable Plot figure one labelled image for assistive technology. Plot labels its marks ('bar',
 * 'rule', 'frame') with aria-label, which ARIA prohibits on a plain <g> or <rect> and which says nothing to a
 * screen-reader user; the chart is announced once with `label` (unless Plot already set an ariaLabel), and
 * legend swatches, whose meaning is in the legend text beside them, are hidden.
 */
export function exposeChartAsImage(figure: Element, label: string): void {
  const chart = figure instanceof SVGSVGElement ? figure : figure.querySelector(':scope > svg');
  if (chart) {
    chart.setAttribute('role', 'img');
    if (!chart.hasAttribute('aria-label')) chart.setAttribute('aria-label', label);
  }
  for (const mark of figure.querySelectorAll('svg [aria-label]')) mark.removeAttribute('aria-label');
  for (const swatch of figure.querySelectorAll('svg')) if (swatch !== chart) swatch.setAttribute('aria-hidden', 'true');
}
