import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

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

/** The dashboard: static files; it signs in and reads everything through the operator API. */
export function dashboardRoutes(): Router {
  const router = express.Router();
  router.use(
    express.static(PUBLIC_DIR, {
      index: 'index.html',
      setHeaders: (response) => {
        // Revalidated on every load (a 304 when unchanged), so a deploy is never half old, half new.
        response.set('Cache-Control', 'no-cache');
        response.set('X-Content-Type-Options', 'nosniff');
        response.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
        response.set('Referrer-Policy', 'no-referrer');
        response.set('X-Frame-Options', 'DENY');
        response.set('Cross-Origin-Opener-Policy', 'same-origin');
      },
    }),
  );
  return router;
}
