import { parse as parseContentType } from 'content-type';
import { decodeUtf8 } from '../../http/body.js';
import { errFormBody } from '../../http/catalogue/index.js';

const MAX_PARTS = 1000;

/**
 * The text fields of a multipart/form-data body (what `fetch(url, { body: new FormData(form) })`
 * sends). File parts are ignored: no flow reads files. Malformed bodies are a 400.
 */
export function parseMultipart(contentType: string, body: Buffer): Array<[string, string]> {
  let boundary: string | undefined;
  try {
    boundary = parseContentType(contentType).parameters.boundary;
  } catch {
    boundary = undefined;
  }
  if (!boundary || boundary.length > 200) throw errFormBody('no multipart boundary param in Content-Type');
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  const chunks = text.split(delimiter);
  if (chunks.length < 3 || !chunks[chunks.length - 1].startsWith('--')) {
    throw errFormBody('multipart: NextPart: EOF');
  }
  const out: Array<[string, string]> = [];
  for (const chunk of chunks.slice(1, -1)) {
    if (out.length >= MAX_PARTS) throw errFormBody('multipart: too many parts');
    const part = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw errFormBody('multipart: malformed part');
    const headers = part.slice(0, split);
    const disposition = formDataParams(headers);
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || /;\s*filename=/i.test(disposition)) continue;
    const value = Buffer.from(part.slice(split + 4), 'latin1');
    out.push([Buffer.from(name, 'latin1').toString('utf8'), decodeUtf8(value)]);
  }
  return out;
}

/**
 * The parameters after `form-data` in a part's Content-Disposition header ('' when there is none).
 * Read line by line rather than with a multiline regex, whose cost on a long header block is not
 * bounded by a linear term.
 */
function formDataParams(headers: string): string {
  for (const raw of headers.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).toLowerCase() !== 'content-disposition') continue;
    const value = line.slice(colon + 1).trimStart();
    if (value.slice(0, 9).toLowerCase() === 'form-data') return value.slice(9);
  }
  return '';
}
