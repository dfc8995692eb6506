#!/usr/bin/env node
// The bundled CLI (dist/bundle/, see scripts/build-bundle.mjs) starts faster; WHARF_NO_BUNDLE=1 or a
// build without it runs the plain tsc output.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/bundle/cli.js', import.meta.url);
await import(process.env.WHARF_NO_BUNDLE !== '1' && existsSync(bundled) ? bundled.href : '../dist/cli/main.js');
