import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './helpers.js';

/** The offline base images of code_exec_python, _ruby and _go (test/images/build-lang.sh). */
export const languageImages = {
  python: 'procdock-test/python:3',
  ruby: 'procdock-test/ruby:3',
  go: 'procdock-test/go:1',
} as const;

/**
 * Builds the language images from Debian's python3, ruby and golang-go (`.ci/run` installs them),
 * and returns the hub's environment naming them. Outside CI a machine without those packages skips
 * the suites with a loud line; under CI=true it fails the file.
 */
export function languageImagesEnv(): Record<string, string> | undefined {
  try {
    for (const [language, tag] of Object.entries(languageImages)) {
      execFileSync(join(root, 'test', 'images', 'build-lang.sh'), [language, tag], { stdio: 'pipe' });
    }
  } catch (error) {
    const why = ((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim();
    if (process.env.CI === 'true') throw new Error(`cannot build the language images: ${why}`);
    console.warn(`\n!!! SKIPPING code_exec_python/ruby/go tests: ${why}\n`);
    return undefined;
  }
  return {
    PROCDOCK_BASE_IMAGE_PYTHON: languageImages.python,
    PROCDOCK_BASE_IMAGE_RUBY: languageImages.ruby,
    PROCDOCK_BASE_IMAGE_GO: languageImages.go,
  };
}

/** A small PDF with the given lines of text per page, written by hand (Helvetica, one text object per line). */
export function makePdf(pages: string[][]): Buffer {
  const font = 3 + pages.length * 2;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${3 + i * 2} 0 R`).join(' ')}] /Count ${pages.length} >>`,
  ];
  pages.forEach((lines, i) => {
    const text = lines
      .map((line, j) => `BT /F1 14 Tf 72 ${720 - j * 24} Td (${line.replace(/[\\()]/g, '\\$&')}) Tj ET`)
      .join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${4 + i * 2} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`,
    );
    objects.push(`<< /Length ${Buffer.byteLength(text)} >>\nstream\n${text}\nendstream`);
  });
  objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = Buffer.byteLength(pdf);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = Buffer.byteLength(pdf);
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
