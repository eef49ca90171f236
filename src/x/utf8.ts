import { isUtf8 } from 'node:buffer';

/**
 * The text of `buf` when it is well-formed UTF-8, otherwise undefined: what
 * `new TextDecoder('utf-8', { fatal: true }).decode(buf)` gives, leading byte-order mark dropped included,
 * without building a decoder and catching its exception on each call (the API logout decodes its body
 * on every request). The tests hold the two to the same answers.
 */
export function strictUtf8(buf: Buffer): string | undefined {
  if (!isUtf8(buf)) return undefined;
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  return buf.toString('utf8', bom ? 3 : 0);
}
