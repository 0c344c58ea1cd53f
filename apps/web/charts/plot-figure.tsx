'use client';

import { useEffect, useId, useRef, useState } from 'react';
import { downloadPng, downloadSvg } from './svg-export.ts';

/** Builds the chart for a given width; returns what Plot.plot returns. */
export type PlotBuilder = (width: number) => SVGSVGElement | HTMLElement;

/**
 * A chart drawn by Observable Plot into a figure with a caption and SVG/PNG export. Redrawn when
 * `build` changes (callers memoise it on their data) or the figure's width changes, so it fits
 * a phone as well as a laptop.
 */
export function PlotFigure({
  title,
  description,
  fileName,
  build,
  testId,
}: {
  title: string;
  /** What the chart shows, read by screen readers (the same numbers are in a table nearby). */
  description: string;
  fileName: string;
  build: PlotBuilder;
  testId?: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [drawn, setDrawn] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const captionId = useId();

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    // Redraw only when the width changes by a few pixels: scroll bars appearing must not loop.
    const observer = new ResizeObserver(([entry]) => {
      const next = Math.floor(entry?.contentRect.width ?? 0);
      setWidth((previous) => (Math.abs(previous - next) > 4 ? next : previous));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const element = holder.current;
    if (!element || width === 0) return;
    const chart = build(width);
    chart.setAttribute('aria-describedby', captionId);
    element.replaceChildren(chart);
    setDrawn(true);
    return () => chart.remove();
  }, [build, width, captionId]);

  // With a legend Plot returns a <figure> whose swatches are small SVGs too; the chart is the
  // largest one.
  const svg = (): SVGSVGElement | null => {
    let best: SVGSVGElement | null = null;
    let bestArea = -1;
    for (const element of holder.current?.querySelectorAll('svg') ?? []) {
      const { width, height } = element.getBoundingClientRect();
      if (width * height > bestArea) {
        best = element;
        bestArea = width * height;
      }
    }
    return best;
  };

  return (
    <figure className="chart" data-testid={testId} data-drawn={drawn ? 'true' : 'false'}>
      <figcaption id={captionId}>
        <span className="chart-title">{title}</span>
        <span className="visually-hidden"> {description}</span>
      </figcaption>
      <div
        ref={holder}
        className="chart-canvas"
        role="img"
        aria-label={`${title}. ${description}`}
      />
      <div className="export-bar">
        <button
          type="button"
          className="export"
          disabled={!drawn}
          aria-label={`Download chart “${title}” as SVG`}
          onClick={() => {
            const element = svg();
            if (element) downloadSvg(element, fileName);
          }}
        >
          SVG
        </button>
        <button
          type="button"
          className="export"
          disabled={!drawn}
          aria-label={`Download chart “${title}” as PNG`}
          onClick={() => {
            const element = svg();
            if (!element) return;
            downloadPng(element, fileName).then(
              () => setExportError(null),
              (error: unknown) =>
                setExportError(error instanceof Error ? error.message : String(error)),
            );
          }}
        >
          PNG
        </button>
        {exportError && (
          <span role="alert" className="error-inline">
            {exportError}
          </span>
        )}
      </div>
    </figure>
  );
}
