import { download } from '@/export/to-csv.ts';

const paintAttributes = ['fill', 'stroke', 'color'] as const;

/** The page's background colour as the browser resolved it (the theme's --bg). */
function pageBackground(): string {
  const colour = getComputedStyle(document.body).backgroundColor;
  return colour === '' || colour === 'rgba(0, 0, 0, 0)' ? 'white' : colour;
}

/**
 * The chart as a standalone SVG file. Plot inlines its styles, but colours that name a CSS
 * variable (charts/palette.ts) or currentColor mean nothing outside the page: they are replaced
 * by what the browser resolved them to, and the page's background is made explicit, so the file
 * looks as the chart did in the theme it was saved from.
 */
export function svgMarkup(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((original, i) => {
    const target = copies[i];
    if (!target) return;
    const computed = getComputedStyle(original);
    for (const name of paintAttributes) {
      const value = target.getAttribute(name);
      if (value?.includes('var(')) target.setAttribute(name, computed.getPropertyValue(name));
    }
  });
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  copy.style.color = getComputedStyle(svg).color;
  copy.style.background = pageBackground();
  return new XMLSerializer().serializeToString(copy);
}

export function downloadSvg(svg: SVGSVGElement, fileName: string): void {
  download(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }), `${fileName}.svg`);
}

/** Rasterises the SVG at twice its size (sharp on high-density screens) on the page's ground. */
export async function downloadPng(svg: SVGSVGElement, fileName: string): Promise<void> {
  const { width, height } = svg.getBoundingClientRect();
  const url = URL.createObjectURL(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.width = width;
    image.height = height;
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the chart could not be drawn as an image'));
      image.src = url;
    });
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('this browser cannot draw on a canvas');
    context.fillStyle = pageBackground();
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the chart could not be encoded as PNG');
    download(blob, `${fileName}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
