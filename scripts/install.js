#!/usr/bin/env node
// Placeholder until the packaging work lands: build from source with cmake-js.
'use strict';
const { execFileSync } = require('node:child_process');
execFileSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), 'rebuild'], { stdio: 'inherit' });
