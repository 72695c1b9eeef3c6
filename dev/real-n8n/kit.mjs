// The compiled TypeScript of dev/ that the scripts use, through its one typed entry point:
// dev/kit.ts, built into dev/dist/kit.js by `npm run build`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { REPO_DIR } from './util.mjs';

const KIT = path.join(REPO_DIR, 'dev', 'dist', 'kit.js');
if (!existsSync(KIT))
	throw new Error(`${path.relative(REPO_DIR, KIT)} missing: run \`npm run build\` first`);

/** @type {typeof import('../kit')} */
export const kit = createRequire(import.meta.url)(KIT);
