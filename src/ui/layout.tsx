/** @jsxImportSource hono/jsx */
/**
 * The page frame every server-rendered page uses (citizen pages now, staff pages later): language
 * attribute, viewport, one stylesheet inline under the response's CSP nonce, a skip link, and a
 * single <main> landmark. Pages bring their own single <h1>.
 *
 * Colours are chosen for WCAG AA (text at least 4.5:1 on its background): #1a1a1a on white is
 * 17:1, the muted #4a4a4a is 8.9:1, the link and button blue #0b57d0 is 6.2:1 against white.
 * Focus is always visible (a thick dark outline with a white gap), never removed.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';

export const BASE_CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#fff}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:.5rem}
header.site,footer.site{background:#f3f4f6;padding:.75rem 1rem}
header.site p,footer.site p{margin:0;max-width:42rem;margin-inline:auto}
main{display:block;max-width:42rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:1.75rem 0 .5rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
p,li,dd,dt{overflow-wrap:anywhere}
a{color:#0b57d0}
a:focus-visible,button:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px;box-shadow:0 0 0 2px #fff}
.muted{color:#4a4a4a}
.notice{border-left:.35rem solid #0b57d0;background:#eef3fd;padding:.75rem 1rem;margin:1rem 0}
.notice.ok{border-color:#05603a;background:#ecfdf3}
.notice.warn{border-color:#92400e;background:#fff7ed}
img{max-width:100%;height:auto}
button{font:inherit;color:#fff;background:#0b57d0;border:0;border-radius:.3rem;padding:.35rem .8rem;min-height:2.25rem;cursor:pointer}
`;

export interface LayoutProps {
  lang: string;
  title: string;
  /** The nonce the response's Content-Security-Policy allows for inline style and script. */
  nonce: string;
  /** Shown in the header bar (the city's treasury). */
  siteName: string;
  skipLabel: string;
  /** Page-specific CSS, appended to the base sheet. */
  css?: string;
  /** Inline script (progressive enhancement only: pages must work without it). */
  script?: string;
  footer?: Child;
  /** Replaces the header bar's content (the staff pages put their navigation there). */
  header?: Child;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>{props.title}</title>
        <style nonce={props.nonce}>{raw(BASE_CSS + (props.css ?? ''))}</style>
      </head>
      <body>
        <a class="skip" href="#main">
          {props.skipLabel}
        </a>
        <header class="site">{props.header !== undefined ? props.header : <p>{props.siteName}</p>}</header>
        <main id="main">{props.children}</main>
        {props.footer !== undefined && <footer class="site">{props.footer}</footer>}
        {props.script && <script nonce={props.nonce}>{raw(props.script)}</script>}
      </body>
    </html>
  );
}

/** Renders a page element to a complete HTML document. */
export async function renderDocument(page: { toString(): string | Promise<string> }): Promise<string> {
  return '<!doctype html>' + (await page.toString());
}
