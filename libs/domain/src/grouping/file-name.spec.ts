import { normaliseNodeFile, normalisePythonFile, stripContentHash, stripUrl } from './file-name';

describe('file name normalisation', () => {
  it.each([
    ['file:///srv/app/esm.mjs', '/srv/app/esm.mjs'],
    ['https://cdn.example.com/static/js/main.3f2a1c9b.js?v=12#L3', '/static/js/main.3f2a1c9b.js'],
    ['webpack:///./src/cart.ts', '/./src/cart.ts'],
    ['C:\\app\\src\\cart.js', 'C:/app/src/cart.js'],
  ])('stripUrl(%s) = %s', (location, path) => {
    expect(stripUrl(location)).toBe(path);
  });

  it.each([
    ['main.3f2a1c9b.js', 'main.js'],
    ['chunk-5f3a2b1c.js', 'chunk.js'],
    ['index-BkG2h3Xa.js', 'index.js'],
    ['vendors.a1b2c3d4e5f6.chunk.js', 'vendors.chunk.js'],
    ['user-settings.js', 'user-settings.js'],
    ['routes.js', 'routes.js'],
    ['v2-client.js', 'v2-client.js'],
  ])('stripContentHash(%s) = %s', (fileName, stripped) => {
    expect(stripContentHash(fileName)).toBe(stripped);
  });

  it('reduces node paths to what is stable across releases and hosts', () => {
    expect(normaliseNodeFile('/srv/releases/20240611-1a2b/dist/routes.js')).toBe('routes.js');
    expect(normaliseNodeFile('/app/node_modules/.pnpm/express@4.18.2/node_modules/express/lib/router/layer.js')).toBe('express/lib/router/layer.js');
    expect(normaliseNodeFile('node:internal/timers')).toBe('node:internal/timers');
    expect(normaliseNodeFile('file:///srv/app/dist/main.3f2a1c9b.js?t=1')).toBe('main.js');
  });

  it('reduces python paths and names the module of library code', () => {
    expect(normalisePythonFile('/srv/app-v42/orders.py')).toEqual({ file: 'orders.py', module: null });
    expect(normalisePythonFile('/srv/.venv/lib/python3.12/site-packages/requests/models.py')).toEqual({ file: 'requests/models.py', module: 'requests.models' });
    expect(normalisePythonFile('<frozen importlib._bootstrap>')).toEqual({ file: '<frozen importlib._bootstrap>', module: null });
  });
});
