import { fileURLToPath } from 'node:url';
import express, { type Response, type Router } from 'express';
import { CALL_STATUSES } from '../call-status.js';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/**
 * Scripts and styles only from our own files, never inline: call data shown on the page can never
 * run as code. Forms are posted by the script, so `form-action 'none'` keeps the token out of any
 * URL should the script fail to load.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The server's list of call statuses as a module the browser imports, so the dashboard's filter
 * offers exactly what the API accepts without a copy of the list in public/.
 */
const CALL_STATUS_MODULE = `export const CALL_STATUSES = Object.freeze(${JSON.stringify(CALL_STATUSES)});\n`;

function setDashboardHeaders(response: Response): void {
  // Revalidated on every load (a 304 when unchanged), so a deploy is never half old, half new.
  response.set('Cache-Control', 'no-cache');
  response.set('X-Content-Type-Options', 'nosniff');
  response.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.set('Referrer-Policy', 'no-referrer');
  response.set('X-Frame-Options', 'DENY');
  response.set('Cross-Origin-Opener-Policy', 'same-origin');
}

/** The dashboard: static files; it signs in and reads everything through the operator API. */
export function dashboardRoutes(): Router {
  const router = express.Router();
  router.get('/call-status.js', (_request, response) => {
    setDashboardHeaders(response);
    response.type('text/javascript').send(CALL_STATUS_MODULE);
  });
  router.use(express.static(PUBLIC_DIR, { index: 'index.html', setHeaders: setDashboardHeaders }));
  return router;
}
