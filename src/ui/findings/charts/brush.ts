/** Smallest drag (pixels) that counts as a brush rather than a click. */
const MIN_DRAG_PX = 4;
const SVG_NS = 'http://www.w3.org/2000/svg';

interface TimeScale {
  range?: readonly number[];
  invert?: (px: number) => unknown;
}

/**
 * Horizontal brush-to-zoom on a Plot time chart: dragging across the plot area draws a band and, on
 * release, reports the brushed time range (epoch ms). Plot has no brush of its own.
 */
export function attachBrush(plot: Element, fill: string, onbrush: (startMs: number, endMs: number) => void): void {
  const svg = plot instanceof SVGSVGElement ? plot : plot.querySelector<SVGSVGElement>(':scope > svg');
  const x = (plot as Element & { scale?: (name: string) => unknown }).scale?.('x') as TimeScale | undefined;
  if (!svg || !x?.range || !x.invert) return;
  const [left, right] = [Math.min(...x.range), Math.max(...x.range)];
  const invert = x.invert;
  const band = document.createElementNS(SVG_NS, 'rect');
  band.setAttribute('fill', fill);
  band.setAttribute('fill-opacity', '0.18');
  band.setAttribute('y', '0');
  band.setAttribute('height', String(svg.viewBox.baseVal?.height || svg.clientHeight));
  band.setAttribute('pointer-events', 'none');
  band.style.display = 'none';
  svg.append(band);
  svg.style.cursor = 'crosshair';
  svg.style.touchAction = 'none';
  let start: number | null = null;

  const toPx = (event: PointerEvent) => {
    const box = svg.getBoundingClientRect();
    const scaleX = (svg.viewBox.baseVal?.width || box.width) / box.width;
    return Math.min(Math.max((event.clientX - box.left) * scaleX, left), right);
  };
  const draw = (a: number, b: number) => {
    band.setAttribute('x', String(Math.min(a, b)));
    band.setAttribute('width', String(Math.abs(b - a)));
    band.style.display = '';
  };
  // Capture phase: Plot's own pointer handlers would otherwise swallow the press.
  svg.addEventListener(
    'pointerdown',
    (event) => {
      if (event.button !== 0) return;
      start = toPx(event);
      svg.setPointerCapture(event.pointerId);
    },
    { capture: true },
  );
  svg.addEventListener('pointermove', (event) => {
    if (start !== null) draw(start, toPx(event));
  });
  svg.addEventListener('pointerup', (event) => {
    if (start === null) return;
    const end = toPx(event);
    const from = Math.min(start, end);
    const to = Math.max(start, end);
    start = null;
    band.style.display = 'none';
    if (to - from < MIN_DRAG_PX) return;
    const t0 = Number(invert(from));
    const t1 = Number(invert(to));
    if (Number.isFinite(t0) && Number.isFinite(t1) && t1 > t0) onbrush(t0, t1);
  });
}
