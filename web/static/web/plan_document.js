// One plan version opened for the viewer: a PDF through PDF.js (our static copy of pdfjs-dist, its worker, no
// CDN), fetched by HTTP Range requests so that the first page shows while the rest is still on the network (the
// pieces needed to open it in one request: plan_ranges.js), or a raster plan (JPEG/PNG) as one page whose points
// are its pixels. Each page answers the same questions: its view
// box, its own rotation, how to draw a window of it on a canvas, its text, and the ends of its vector lines.

import { SnapGrid, apply, multiply, viewportTransform } from "./plan_geometry.js";
import { fetchOpening, rangeTransport } from "./plan_ranges.js";

const SNAP_POINTS_MAX = 300_000;
let pdfjsPromise = null;
let worker = null; // one PDF.js worker for the page, started with the library (it boots while the plan's bytes come)

export function preloadPdfjs(vendor) {
  loadPdfjs(vendor).catch(() => {}); // a failure shows when a plan is opened
}

function loadPdfjs(vendor) {
  if (!pdfjsPromise) {
    pdfjsPromise = import(`${vendor}pdf.min.mjs`).then((pdfjs) => {
      pdfjs.GlobalWorkerOptions.workerSrc = `${vendor}pdf.worker.min.mjs`;
      worker = new pdfjs.PDFWorker();
      return pdfjs;
    });
  }
  return pdfjsPromise;
}

// The ends of the segments a page's content draws, in PDF user space (best effort: the points of PDF.js's
// `constructPath` operators under the current transformation; curves give their end points).
function pathEnds(pdfjs, operatorList) {
  const { OPS } = pdfjs;
  const ends = [];
  const stack = [];
  let matrix = [1, 0, 0, 1, 0, 0];
  const { fnArray, argsArray } = operatorList;
  for (let index = 0; index < fnArray.length && ends.length < SNAP_POINTS_MAX; index += 1) {
    const operator = fnArray[index];
    const args = argsArray[index];
    if (operator === OPS.save) stack.push(matrix);
    else if (operator === OPS.restore) matrix = stack.pop() || [1, 0, 0, 1, 0, 0];
    else if (operator === OPS.transform) matrix = multiply(matrix, args);
    else if (operator === OPS.paintFormXObjectBegin) {
      stack.push(matrix);
      if (args && args[0]) matrix = multiply(matrix, Array.from(args[0]));
    } else if (operator === OPS.paintFormXObjectEnd) matrix = stack.pop() || [1, 0, 0, 1, 0, 0];
    else if (operator === OPS.constructPath) {
      const data = args && args[1] && args[1][0];
      if (data) collectEnds(data, matrix, ends);
    }
  }
  return ends;
}

// PDF.js's path buffer: an opcode (0 moveTo, 1 lineTo, 2 curveTo, 3 quadraticCurveTo, 4 closePath), its numbers.
function collectEnds(data, matrix, ends) {
  const sizes = { 0: 2, 1: 2, 2: 6, 3: 4, 4: 0 };
  for (let index = 0; index < data.length; ) {
    const size = sizes[data[index]];
    if (size === undefined) return;
    if (size) ends.push(apply(matrix, [data[index + size - 1], data[index + size]]));
    index += size + 1;
  }
}

class PdfPage {
  constructor(pdfjs, page) {
    this.pdfjs = pdfjs;
    this.page = page;
    this.view = page.view;
    this.rotate = page.rotate;
    this.snapGrid = null;
  }

  // Draw the window of the page that the camera shows onto the canvas (device pixels = `ratio` per CSS pixel).
  render(canvas, camera, ratio) {
    const viewport = this.page.getViewport({
      scale: camera.scale,
      rotation: camera.rotation,
      offsetX: camera.offsetX,
      offsetY: camera.offsetY,
    });
    const task = this.page.render({
      canvas,
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: [ratio, 0, 0, ratio, 0, 0],
      background: "#ffffff",
    });
    return task;
  }

  viewport(camera) {
    return this.page.getViewport({ scale: camera.scale, rotation: camera.rotation });
  }

  textContent() {
    return this.page.getTextContent();
  }

  async snapPoints() {
    if (!this.snapGrid) this.snapGrid = new SnapGrid(pathEnds(this.pdfjs, await this.page.getOperatorList()));
    return this.snapGrid;
  }
}

class RasterPage {
  constructor(image) {
    this.image = image;
    this.view = [0, 0, image.naturalWidth, image.naturalHeight];
    this.rotate = 0;
  }

  render(canvas, camera, ratio) {
    const context = canvas.getContext("2d");
    const { transform } = viewportTransform(this.view, camera);
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.setTransform(...multiply([ratio, 0, 0, ratio, 0, 0], multiply(transform, [1, 0, 0, -1, 0, this.view[3]])));
    context.imageSmoothingQuality = "high";
    context.drawImage(this.image, 0, 0);
    return { promise: Promise.resolve(), cancel() {} };
  }

  textContent() {
    return Promise.resolve({ items: [] });
  }

  snapPoints() {
    return Promise.resolve(null);
  }
}

export class PlanDocument {
  static async open({ url, mediaType, vendor, openingUrl = null, page = 1 }) {
    if (mediaType && mediaType.startsWith("image/")) {
      const image = new Image();
      image.decoding = "async";
      image.src = url;
      await image.decode();
      return new PlanDocument({ pageCount: 1, rasterPage: new RasterPage(image) });
    }
    const [pdfjs, opening] = await Promise.all([loadPdfjs(vendor), openingUrl ? fetchOpening(url, openingUrl, page) : null]);
    let task = null;
    const source = opening
      ? { range: rangeTransport(pdfjs, url, opening, () => task && task.destroy()), length: opening.length, rangeChunkSize: opening.chunkBytes }
      : { url };
    task = pdfjs.getDocument({
      ...source,
      worker,
      disableAutoFetch: true, // only the bytes of the pages shown are asked for (Range requests)
      disableStream: true,
      isEvalSupported: false, // the Content-Security-Policy has no 'unsafe-eval'
      enableXfa: false,
      standardFontDataUrl: `${vendor}standard_fonts/`,
      cMapUrl: `${vendor}cmaps/`,
      wasmUrl: `${vendor}wasm/`,
    });
    const pdf = await task.promise;
    return new PlanDocument({ pageCount: pdf.numPages, pdfjs, pdf, task });
  }

  constructor({ pageCount, rasterPage = null, pdfjs = null, pdf = null, task = null }) {
    this.pageCount = pageCount;
    this.rasterPage = rasterPage;
    this.pdfjs = pdfjs;
    this.pdf = pdf;
    this.task = task;
    this.pages = new Map();
  }

  get textLayerClass() {
    return this.pdfjs ? this.pdfjs.TextLayer : null;
  }

  page(number) {
    if (this.rasterPage) return Promise.resolve(this.rasterPage);
    if (!this.pages.has(number)) {
      this.pages.set(number, this.pdf.getPage(number).then((page) => new PdfPage(this.pdfjs, page)));
    }
    return this.pages.get(number);
  }

  destroy() {
    if (this.task) this.task.destroy();
  }
}
