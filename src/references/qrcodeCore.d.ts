/**
 * Types for qrcode's encoder core. We import `qrcode/lib/core/qrcode.js` rather than `qrcode`
 * because the package's Node entry pulls in fs and pngjs for its file renderers; the core is
 * plain JavaScript that runs unchanged on Cloudflare Workers.
 */
declare module 'qrcode/lib/core/qrcode.js' {
  import type { QRCode, QRCodeOptions, QRCodeSegment } from 'qrcode';
  export function create(text: string | QRCodeSegment[], options?: QRCodeOptions): QRCode;
  const core: { create: typeof create };
  export default core;
}
