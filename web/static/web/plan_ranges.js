// The bytes of a PDF plan for PDF.js, by HTTP Range requests on the version's download. To open a plan PDF.js
// reads the page tree object by object (fifty pages: fifty round trips in a row), so the viewer first asks the
// server which chunks that takes (`/api/plans/<id>/opening/`), fetches them in ONE request of several ranges
// (206 multipart/byteranges), and answers PDF.js's requests from them; anything else PDF.js needs is fetched
// as it asks. A server that answers the whole file (200) simply gives PDF.js everything from memory.

const RETRIES = 2;

function indexOf(bytes, needle, from) {
  outer: for (let index = from; index <= bytes.length - needle.length; index += 1) {
    for (let offset = 0; offset < needle.length; offset += 1) {
      if (bytes[index + offset] !== needle[offset]) continue outer;
    }
    return index;
  }
  return -1;
}

function contentRange(value) {
  const match = /bytes\s+(\d+)-(\d+)\/(\d+|\*)/i.exec(value || "");
  if (!match) throw new Error(`no Content-Range in a partial answer (${value})`);
  return { start: Number(match[1]), end: Number(match[2]) };
}

// The parts of a multipart/byteranges body, each cut by the length its Content-Range gives.
function multipartParts(bytes, boundary) {
  const ascii = new TextEncoder();
  const delimiter = ascii.encode(`--${boundary}`);
  const blank = ascii.encode("\r\n\r\n");
  const parts = [];
  let position = indexOf(bytes, delimiter, 0);
  while (position >= 0) {
    position += delimiter.length;
    if (bytes[position] === 45 && bytes[position + 1] === 45) break; // "--": the closing delimiter
    const headersEnd = indexOf(bytes, blank, position);
    if (headersEnd < 0) throw new Error("a part without its headers' end");
    const headers = new TextDecoder("latin1").decode(bytes.subarray(position, headersEnd));
    const range = contentRange(/content-range:\s*([^\r\n]+)/i.exec(headers)?.[1]);
    const start = headersEnd + blank.length;
    parts.push({ start: range.start, bytes: bytes.subarray(start, start + range.end - range.start + 1) });
    position = indexOf(bytes, delimiter, start + range.end - range.start + 1);
  }
  return parts;
}

async function partsOf(response) {
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (response.status === 200) return [{ start: 0, bytes }];
  const type = response.headers.get("Content-Type") || "";
  const boundary = /multipart\/byteranges;\s*boundary="?([^";]+)"?/i.exec(type);
  if (boundary) return multipartParts(bytes, boundary[1]);
  return [{ start: contentRange(response.headers.get("Content-Range")).start, bytes }];
}

async function fetchRange(url, header) {
  let failure = null;
  for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
    try {
      const response = await fetch(url, { headers: { Range: header }, credentials: "same-origin" });
      if (response.status === 200 || response.status === 206) return response;
      failure = new Error(`HTTP ${response.status}`);
      if (response.status < 500) break;
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

// What to open `url` with: its size, PDF.js's chunk size, and the parts fetched in one request (none when the
// opening cannot be had: PDF.js then asks for each piece itself).
export async function fetchOpening(url, openingUrl, page) {
  const answer = await fetch(`${openingUrl}?page=${page}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  const opening = await answer.json();
  const parts = opening.ranges.length
    ? await partsOf(await fetchRange(url, `bytes=${opening.ranges.map(([start, end]) => `${start}-${end}`).join(",")}`))
    : [];
  return { length: opening.size_bytes, chunkBytes: opening.chunk_bytes, parts };
}

function cached(parts, begin, end) {
  for (const part of parts) {
    if (part.start <= begin && part.start + part.bytes.length >= end) {
      return part.bytes.slice(begin - part.start, end - part.start);
    }
  }
  return null;
}

// A PDF.js range transport over `url`: PDF.js's requests answered from the opening's parts, or fetched.
// `onFailure` is called when a range cannot be had (after retries): PDF.js itself would wait for ever.
export function rangeTransport(pdfjs, url, opening, onFailure) {
  class PlanRangeTransport extends pdfjs.PDFDataRangeTransport {
    requestDataRange(begin, end) {
      const hit = cached(opening.parts, begin, end);
      if (hit) {
        queueMicrotask(() => this.onDataRange(begin, hit));
        return;
      }
      fetchRange(url, `bytes=${begin}-${end - 1}`)
        .then(async (response) => {
          const parts = await partsOf(response);
          this.onDataRange(begin, cached(parts, begin, end) || parts[0].bytes);
        })
        .catch(onFailure);
    }
  }
  return new PlanRangeTransport(opening.length, null);
}
