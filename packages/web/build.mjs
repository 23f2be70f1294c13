// Builds the browser app into static files: dist/web/ (or the directory given with --outdir).
// One JS bundle (the page plus the isomorphic core from src/), one stylesheet, an SVG icon and
// index.html with a strict Content-Security-Policy. Asset names carry a content hash, so a static
// host may cache them forever; index.html itself must not be cached.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist/web';
const root = new URL('.', import.meta.url).pathname;

// The page loads only its own files and fetches only a JWKS URL the user types in (https, or
// http on this machine for a local `jwkit serve`). Trusted Types forbid HTML-string sinks
// (innerHTML and friends), so nothing on the page can turn key or token text into markup.
// frame-ancestors cannot be set from a meta tag: a host that wants to forbid framing sends
// `Content-Security-Policy: frame-ancestors 'none'` as a response header.
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self' https: http://localhost:* http://127.0.0.1:*",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'src/main.ts'), style: join(root, 'src/styles.css') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox121', 'safari17'],
  minify: true,
  legalComments: 'none',
  outdir,
  entryNames: '[name]-[hash]',
  metafile: true,
  // The page imports the library by name; bundle its isomorphic (WebCrypto) sources.
  alias: {
    jwkit: join(root, '../jwkit/src/index.ts'),
    'jwkit/internal': join(root, '../jwkit/src/internal.ts'),
  },
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.startsWith('app-') && f.endsWith('.js'));
const css = outputs.find((f) => f.startsWith('style-') && f.endsWith('.css'));
const icon = 'favicon.svg';
writeFileSync(join(outdir, icon), readFileSync(join(root, icon)));
const html = readFileSync(join(root, 'index.html'), 'utf8')
  .replace('%CSP%', CSP)
  .replace('%JS%', `./${js}`)
  .replace('%CSS%', `./${css}`)
  .replace('%FAVICON%', `./${icon}`);
writeFileSync(join(outdir, 'index.html'), html);

let total = 0;
let gzipTotal = 0;
for (const f of [...outputs, icon, 'index.html']) {
  const bytes = readFileSync(join(outdir, f));
  total += bytes.length;
  gzipTotal += gzipSync(bytes).length;
}
console.log(`web: ${outdir} ${(total / 1024).toFixed(1)} KiB (${(gzipTotal / 1024).toFixed(1)} KiB gzip)`);
