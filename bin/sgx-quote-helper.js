#!/usr/bin/env node
// The package's command; dist/ is built by `npm run build` (npm ci runs it through `prepare`).
import "../dist/cli/entry.js";
