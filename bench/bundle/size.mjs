// Minified + gzip size of what a browser app pays for a typical import of the library, bundled from
// the built package (packages/jwkit/dist, through its export conditions and `sideEffects`) the way a
// user's bundler would. Run: npm run build && node bench/bundle/size.mjs
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const IMPORTS = {
  'verifyJWT + RemoteJWKSet': ['verifyJWT', 'RemoteJWKSet'],
  'verifyJWT + JWKSet': ['verifyJWT', 'JWKSet'],
  thumbprint: ['thumbprint'],
  'everything (import *)': null,
};

const rows = [];
for (const [name, names] of Object.entries(IMPORTS)) {
  const contents = names
    ? `export { ${names.join(', ')} } from 'jwkit';`
    : `import * as jwkit from 'jwkit'; export default jwkit;`;
  const result = await build({
    stdin: { contents, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    // Resolve `jwkit` as a user's bundler does (node_modules, export conditions), not through the
    // repository's tsconfig paths, which point at the TypeScript sources.
    tsconfigRaw: {},
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  rows.push({ name, min: code.length, gzip: gzipSync(code, { level: 9 }).length });
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log('| import | minified | minified + gzip |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | ${kib(r.min)} | ${kib(r.gzip)} |`);
