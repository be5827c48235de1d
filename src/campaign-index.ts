import { run } from './campaign-main.js';

await run();
