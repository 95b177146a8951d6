/* global module, require, __filename */
// serverless.yml lists this file as a plugin and loads it with require(). It hands over to the
// TypeScript plugin through tsx, so package-time validation runs the very lib/config code the
// functions and `npm start` run: one source of truth for what a valid monitors.yml is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tsx = require('tsx/cjs/api');

module.exports = tsx.require('./serverless-plugin.ts', __filename).UptimeMonitorPlugin;
