#!/usr/bin/env node
/* global require, process, console, __filename */
// `npx uptime-monitor <command>` from the checkout (package.json's bin). It hands over to the
// TypeScript CLI, tools/cli/main.ts, through tsx's require hook (a devDependency, as for
// deploy/serverless-plugin.cjs): no build step, and no second node process.
'use strict';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tsx = require('tsx/cjs/api');

const { runCli } = tsx.require('../tools/cli/main.ts', __filename);

runCli(process.argv.slice(2), process.env, process.cwd(), { log: console.log, error: console.error }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // A defect, not bad input: the whole stack, and exit 1.
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
