import './v8-flags.js'; // first: before the modules below are evaluated
import { run } from './main.js';

await run();
