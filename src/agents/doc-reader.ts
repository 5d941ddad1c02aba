import { fileURLToPath } from 'node:url';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CommandOutput } from '../hub/one-off-runner.js';
import type { AppRef, Sandbox } from '../sandbox/sandbox.js';
import { AppError } from '../shared/errors.js';

export type DocumentKind = 'html' | 'pdf';

/** Largest document read, fetched or inline. */
export const maxDocumentBytes = 10 * 1024 * 1024;
/** How long a fetch may take inside the call's ttl (Heroku's doc reader waits 30 s). */
export const fetchTimeoutMs = 30_000;

/**
 * The converter the container runs: `resources/doc-reader` (turndown for HTML, unpdf's build of
 * Mozilla's pdf.js for PDF), built once into an image from the node base image with its
 * dependencies installed at build time. The name holds a dot, which no user app's name can, so it
 * never meets an app's image.
 */
export const docReaderApp: AppRef = {
  name: 'heroku.doc-reader',
  path: fileURLToPath(new URL('../../resources/doc-reader/', import.meta.url)),
};

/** Heroku's doc reader tools, taking a URL (Heroku's schema) or the document inline. */
export const docReaderTools: Record<'html_to_markdown' | 'pdf_to_markdown', Omit<Tool, 'name'>> = {
  html_to_markdown: {
    description:
      'Fetch a webpage and convert it to Markdown. Give the page as `url`, or its HTML as `content`. Fetching needs network for built-in tools, which the hub’s user turns on.',
    inputSchema: {
      type: 'object',
      properties: {
        url: { type: 'string', description: 'The http(s) URL of the page.' },
        content: { type: 'string', description: 'The HTML itself, instead of a URL.' },
      },
    },
  },
  pdf_to_markdown: {
    description:
      'Download a PDF from a URL, extract all text, and return Markdown, a `# Page N` heading per page. Give the PDF as `url`, or its bytes base64-encoded as `content_base64`.',
    inputSchema: {
      type: 'object',
      properties: {
        url: { type: 'string', description: 'The http(s) URL of the PDF.' },
        content_base64: { type: 'string', description: 'The PDF itself, base64-encoded, instead of a URL.' },
      },
    },
  },
};

const building = new WeakMap<Sandbox, Promise<string | null>>();

/**
 * The converter's image: built the first time it is needed, then found by the hash of its files,
 * so an image removed meanwhile is built again. Calls that need it at once share one build.
 */
export async function docReaderImage(sandbox: Sandbox): Promise<string | null> {
  let pending = building.get(sandbox);
  if (!pending) {
    pending = sandbox
      .prepare(docReaderApp)
      .then((prepared) => prepared.image)
      .finally(() => building.delete(sandbox));
    building.set(sandbox, pending);
  }
  try {
    return await pending;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'unavailable',
      `the document reader is not offered: its converter image did not build: ${message}`,
    );
  }
}

/** The request the converter reads on stdin, from a call's arguments; throws `AppError` naming the field at fault. */
export function documentRequest(
  tool: string,
  kind: DocumentKind,
  args: Record<string, unknown>,
): { url?: string; stdin: string } {
  const inline = kind === 'pdf' ? 'content_base64' : 'content';
  const { url } = args;
  const content = args[inline];
  if ((url === undefined) === (content === undefined))
    throw new AppError('invalid_input', `${tool} needs either "url" or "${inline}"`);
  if (url !== undefined) {
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/i.test(url))
      throw new AppError('invalid_input', `${tool}: url must be an http or https URL`);
  } else if (
    typeof content !== 'string' ||
    Buffer.byteLength(content) > (kind === 'pdf' ? (maxDocumentBytes * 4) / 3 : maxDocumentBytes)
  ) {
    throw new AppError(
      'invalid_input',
      `${tool}: ${inline} must be a string of at most ${maxDocumentBytes / 1024 / 1024} MiB`,
    );
  }
  const request = {
    kind,
    ...(url !== undefined ? { url } : { [inline]: content }),
    max_bytes: maxDocumentBytes,
    timeout_ms: fetchTimeoutMs,
  };
  return { ...(typeof url === 'string' ? { url } : {}), stdin: JSON.stringify(request) };
}

/** Markdown as the result's text (Heroku's doc reader returns a string); a failure as `isError`. */
export function documentResult(tool: string, output: CommandOutput): CallToolResult {
  if (output.returncode !== 0) {
    return {
      isError: true,
      content: [
        {
          type: 'text',
          text: `Error executing tool ${tool}: ${output.stderr || `the converter exited ${output.returncode}`}`,
        },
      ],
    };
  }
  return {
    content: [{ type: 'text', text: output.stdout }],
    structuredContent: { result: output.stdout },
    isError: false,
  };
}
