import path from 'node:path';
import express, { Router } from 'express';

/** The folder of the `swagger-ui-dist` package: its assets are served from here, never from a CDN. */
const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Bitcoin checkout API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

// A script file rather than an inline one, so the page works under a strict Content-Security-Policy.
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  validatorUrl: null, tryItOutEnabled: false, supportedSubmitMethods: ['get'] });
`;

/** `GET /docs`: the OpenAPI document rendered by Swagger UI, every asset served by this app (public). */
export function docsRouter(): Router {
  const router = Router();
  router.get('/docs', (_req, res) => { res.type('html').send(page); });
  router.get('/docs/init.js', (_req, res) => { res.type('application/javascript').send(init); });
  router.use('/docs/assets', express.static(assets, { index: false, maxAge: '1d', fallthrough: false }));
  return router;
}
