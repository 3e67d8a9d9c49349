/**
 * Static SVG charts for the HTML report, drawn with Observable Plot from the binned data in report-data.ts.
 * Plot needs a DOM, so this runs in the browser (the CLI report shows the numbers as tables instead).
 * The SVG is serialised with XMLSerializer, which escapes every text node (tick labels, titles).
 */
import * as Plot from '@observablehq/plot';
import type { Finding } from '../detection/detect.ts';
import type { FindingChartSvgs } from './report-html.ts';
import { INTERVALS_COLOR, kindColor, PERIOD_COLOR, utcTick } from '../core/chart-style.ts';
import type { FindingChartData } from './report-data.ts';

/** Pixel sizes the report charts are drawn at (the SQL bins are sized to the timeline width). */
export const TIMELINE_WIDTH_PX = 620;
export const INTERVALS_WIDTH_PX = 400;
const HEIGHT_PX = 170;
const INK = '#1b1f24';

function serialise(figure: Element): string {
  const svg = figure.tagName.toLowerCase() === 'svg' ? figure : figure.querySelector('svg');
  if (!svg) throw new Error('Plot drew no SVG');
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return new XMLSerializer().serializeToString(svg);
}

/** Events per time bin, stacked by event kind. */
export function timelineSvg(data: FindingChartData, doc: Document): string {
  const kinds = [...new Set(data.timeline.map((b) => b.kind))].sort();
  return serialise(
    Plot.plot({
      document: doc,
      width: TIMELINE_WIDTH_PX,
      height: HEIGHT_PX,
      marginLeft: 44,
      style: { color: INK, background: 'transparent', fontSize: '10px' },
      x: { type: 'utc', label: null, tickFormat: utcTick },
      y: { label: 'events', grid: true },
      color: { domain: kinds, range: kinds.map(kindColor) },
      marks: [
        Plot.rectY(data.timeline, {
          x1: (b) => new Date(b.start_ms),
          x2: (b) => new Date(b.end_ms),
          y: 'n',
          fill: 'kind',
          title: (b) => `${new Date(b.start_ms).toISOString()} ${b.kind}: ${b.n}`,
        }),
        Plot.ruleY([0], { stroke: INK }),
      ],
    }),
  );
}

/** Histogram of the gaps between events on a log axis, with the detected period marked. */
export function intervalsSvg(data: FindingChartData, periodS: number | null, doc: Document): string {
  const marks: Plot.Markish[] = [
    Plot.rectY(data.intervals, { x1: 'lo_s', x2: 'hi_s', y: 'n', fill: INTERVALS_COLOR, insetLeft: 0.5, title: (b) => `${b.lo_s.toPrecision(3)}–${b.hi_s.toPrecision(3)} s: ${b.n}` }),
    Plot.ruleY([0], { stroke: INK }),
  ];
  if (periodS !== null) {
    marks.push(
      Plot.ruleX([periodS], { stroke: PERIOD_COLOR, strokeWidth: 1.5, strokeDasharray: '4,3' }),
      Plot.text([periodS], { x: (d) => d, frameAnchor: 'top', dy: -2, dx: 4, textAnchor: 'start', fill: PERIOD_COLOR, stroke: 'white', strokeWidth: 3, paintOrder: 'stroke', text: (d) => `period ${Math.round(d)} s` }),
    );
  }
  return serialise(
    Plot.plot({
      document: doc,
      width: INTERVALS_WIDTH_PX,
      height: HEIGHT_PX,
      marginLeft: 44,
      marginTop: 18,
      style: { color: INK, background: 'transparent', fontSize: '10px' },
      x: { type: 'log', label: 'seconds between events' },
      y: { label: 'gaps', grid: true },
      marks,
    }),
  );
}

/** Both charts of a finding as SVG text (empty data draws an empty frame, which says as much). */
export function findingChartSvgs(finding: Finding, data: FindingChartData, doc: Document): FindingChartSvgs {
  return {
    timeline: timelineSvg(data, doc),
    intervals: data.intervals.length ? intervalsSvg(data, finding.periodicity?.period_s ?? null, doc) : '<p class="note">Fewer than two separate events: no gaps to draw.</p>',
  };
}
