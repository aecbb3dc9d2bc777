// The Backstage peer of Greenroom's benchmark suite: the smallest backend that
// loads dynamic plugins, as the dynamic feature service's README sets it up.
// Started as `node index.js --config app-config.yaml`, with NODE_ENV=production
// as Backstage's own Dockerfile runs its backend.
'use strict';

const { createBackend } = require('@backstage/backend-defaults');
const { dynamicPluginsFeatureLoader } = require('@backstage/backend-dynamic-feature-service');

const backend = createBackend();
backend.add(dynamicPluginsFeatureLoader);
backend.start();
