import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium through playwright-core (which never downloads a browser
 * itself). On a fresh machine the package is installed first, the same way CI provisions
 * PostgreSQL and Redis.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = resolve('test-artifacts/dashboard');
const DASHBOARD = resolve('dist/dashboard/index.html');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const apt = (...args: string[]): void => {
    execFileSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  try {
    apt('install', '-y', 'chromium');
  } catch {
    apt('update');
    apt('install', '-y', 'chromium');
  }
}

/** The api serves dist/dashboard; build it when a plain `npm test` runs before any `npm run build`. */
export function ensureDashboardBuilt(): void {
  if (existsSync(DASHBOARD)) return;
  execFileSync(
    process.execPath,
    [
      'node_modules/vite/bin/vite.js',
      'build',
      '--config',
      'apps/dashboard/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    {
      stdio: 'inherit',
    },
  );
}

export async function launchBrowser(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A laptop-sized page that records every API request it makes (for network assertions). */
export async function openPage(
  browser: Browser,
  options: { clientIp?: string } = {},
): Promise<{ page: Page; requests: { method: string; url: string }[]; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    // The api trusts X-Forwarded-For from loopback: one client address per suite keeps per-IP rate limits apart.
    extraHTTPHeaders: options.clientIp ? { 'x-forwarded-for': options.clientIp } : {},
  });
  const page = await context.newPage();
  const requests: { method: string; url: string }[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return { page, requests, errors };
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
