import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is served by the api at `/` in production (dist/dashboard); in development Vite
// serves it and proxies the API and the Socket.IO live feed to a running api (same origin either way).
const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.DASHBOARD_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  // JSX with the automatic runtime through Vite's own transformer: no React plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  resolve: {
    alias: {
      '@kubecohort/contracts': fileURLToPath(new URL('../../libs/contracts/src/index.ts', import.meta.url)),
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true },
    },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
