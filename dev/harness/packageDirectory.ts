import { existsSync } from 'node:fs';
import path from 'node:path';

/** This repository's root, from dev/harness/ (ts-jest) or dev/dist/harness/ (compiled). */
export const PACKAGE_DIRECTORY = (() => {
	let directory = __dirname;
	while (!existsSync(path.join(directory, 'package.json'))) directory = path.dirname(directory);
	return directory;
})();
