/**
 * Layering of the source folders, enforced with `no-restricted-imports` (eslint.config.mjs applies it;
 * test/lint/layering.test.ts plants violations to prove it fails):
 * - runtime/ is the generic Functions host: it imports nothing of the product (shared/, functions/, product/);
 * - shared/ and functions/ are the product: they never reach into the host (runtime/) or its entry (product/);
 * - product/ is the small entry that hands Butler's settings to the host: it may import both.
 */
const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      // Relative imports only: `@azure/functions` is a package, not the functions/ folder.
      { patterns: [{ regex: `^(\\.\\.?/)+(.*/)?(${forbidden.join('|')})(/|$)`, message: why }] },
    ],
  },
});

export const layers = [
  layer(
    ['runtime/**/*.ts'],
    ['shared', 'functions', 'product'],
    'runtime/ is the generic host: pass product settings in as options (see product/host-profile.ts).',
  ),
  layer(
    ['shared/**/*.ts', 'functions/**/*.ts'],
    ['runtime', 'product'],
    'The product does not depend on the embedded host; it must run on the real Functions host.',
  ),
];
