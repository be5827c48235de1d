// V8 settings for the action's process, set by the entry before any other module is evaluated. The
// action cannot pass node flags (`runs.using: node24` starts `node dist/index.js`), so they are set here.
import { setFlagsFromString } from 'node:v8';

// No optimizing compilers (TurboFan, Maglev): their compile zones and code cost ~14 MiB of peak RSS in an
// empty run (93 -> 79 MiB, median of 7), and no CPU on a 1 GiB upload (3.42 vs 3.40 s, median of 4),
// whose hot paths are native (hashing, file reads, socket writes) and WebAssembly (undici's llhttp).
// Bytecode and the baseline compiler (Sparkplug) still run everything.
setFlagsFromString('--no-opt');
setFlagsFromString('--no-maglev');
