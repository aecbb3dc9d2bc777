// A trivial dynamic backend plugin of Greenroom's benchmark suite: one route,
// GET /api/__PLUGIN_ID__/hello answering "hello" in plain text, the same as the
// Python plugins of benchmarks/plugins.py. Its imports resolve from the host
// backend's node_modules (the dynamic feature service's CommonJS loader).
'use strict';

const { coreServices, createBackendPlugin } = require('@backstage/backend-plugin-api');
const { Router } = require('express');

exports.default = createBackendPlugin({
  pluginId: '__PLUGIN_ID__',
  register(env) {
    env.registerInit({
      deps: { http: coreServices.httpRouter },
      async init({ http }) {
        const router = Router();
        router.get('/hello', (_req, res) => {
          res.type('text/plain').send('hello');
        });
        http.use(router);
        // Reachable without a token, as the Python plugins' routes are.
        http.addAuthPolicy({ path: '/hello', allow: 'unauthenticated' });
      },
    });
  },
});
