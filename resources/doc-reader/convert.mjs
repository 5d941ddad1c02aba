// Procdock's document reader, run in a throwaway container: turndown for HTML, unpdf (Mozilla's
// pdf.js bundled for servers) for PDF. Reads one JSON request on stdin ({kind: "html" | "pdf", url?,
// content?, content_base64?, max_bytes, timeout_ms}), fetches the URL when there is one, and writes
// Markdown on stdout. Failures go to stderr with exit code 1.
/* global fetch, AbortSignal */
import { Buffer } from 'node:buffer';
import TurndownService from 'turndown';
import { gfm } from '@joplin/turndown-plugin-gfm';

const userAgent = 'Mozilla/5.0 (compatible; procdock-doc-reader/1.0)';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The document's bytes: fetched (bounded in size and time) or given inline. */
async function source(request) {
  if (request.url) {
    const response = await fetch(request.url, {
      headers: { 'user-agent': userAgent },
      signal: AbortSignal.timeout(request.timeout_ms),
    });
    if (!response.ok) throw new Error(`${request.url} answered ${response.status} ${response.statusText}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > request.max_bytes)
      throw new Error(`${request.url} is ${declared} bytes, over the ${request.max_bytes}-byte limit`);
    const chunks = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > request.max_bytes) throw new Error(`${request.url} is over the ${request.max_bytes}-byte limit`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
  if (request.kind === 'pdf') return Buffer.from(request.content_base64 ?? '', 'base64');
  return Buffer.from(request.content ?? '', 'utf8');
}

function htmlToMarkdown(html) {
  const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  turndown.use(gfm);
  turndown.remove(['script', 'style', 'noscript', 'template', 'iframe']);
  return turndown.turndown(html);
}

/** Each page as `# Page N`, its text in reading order, one line per line of the page. */
async function pdfToMarkdown(bytes) {
  const { getDocumentProxy } = await import('unpdf');
  const document = await getDocumentProxy(new Uint8Array(bytes), {
    isEvalSupported: false,
    disableFontFace: true,
    verbosity: 0,
  });
  const pages = [];
  for (let number = 1; number <= document.numPages; number++) {
    const page = await document.getPage(number);
    const text = await page.getTextContent();
    const lines = [];
    let line = '';
    let lastY;
    for (const item of text.items) {
      if (!('str' in item)) continue;
      const y = item.transform[5];
      if (lastY !== undefined && Math.abs(y - lastY) > 1 && line.trim()) {
        lines.push(line.trim());
        line = '';
      }
      line += item.str;
      lastY = y;
      if (item.hasEOL) {
        if (line.trim()) lines.push(line.trim());
        line = '';
      }
    }
    if (line.trim()) lines.push(line.trim());
    pages.push(
      `# Page ${number}\n\n${lines.map((l) => (/^[^a-z]*[A-Z]{3}[^a-z]*$/.test(l) ? `**${l}**` : l)).join('\n\n')}`,
    );
    page.cleanup();
  }
  await document.destroy();
  return pages.join('\n\n');
}

try {
  const request = await readStdin();
  const bytes = await source(request);
  const markdown = request.kind === 'pdf' ? await pdfToMarkdown(bytes) : htmlToMarkdown(bytes.toString('utf8'));
  process.stdout.write(markdown);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
