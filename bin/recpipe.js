#!/usr/bin/env node
import module from 'node:module';

// Node.js ≥ 22.1 keeps V8's compiled code between runs: a short `recpipe train` spends much of its
// time compiling modules. Node.js 20 has no such cache (and no such function).
module.enableCompileCache?.();
await import('../dist/src/cli/main.js');
