// The real n8n servers install-n8n.sh keeps in a cache folder, one per target: 'n8n2' (n8n 2.x on
// a Node 24 from the registry) and 'n8n1' (n8n 1.x on the machine's Node).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { run } from './util.mjs';

export const N8N_CACHE =
	process.env.MNOTIFY_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-mnotify-e2e');
const INSTALL_SCRIPT = fileURLToPath(new URL('./install-n8n.sh', import.meta.url));

/** Parses KEY=VALUE lines (the <target>.env the script writes). */
function readEnvFile(file) {
	const env = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
		if (m) env[m[1]] = m[2];
	}
	return env;
}

/**
 * The install of `target`, installed first unless `skipInstall` (the script is idempotent and
 * quick when the cache is complete). Returns {target, N8N_DIR, NODE_BIN, version}.
 */
export async function installedN8n(target, { skipInstall = false } = {}) {
	if (!skipInstall) await run('bash', [INSTALL_SCRIPT, `--${target}`], { prefix: '  ' });
	const envFile = path.join(N8N_CACHE, `${target}.env`);
	if (!existsSync(envFile))
		throw new Error(`${envFile} missing: run bash dev/real-n8n/install-n8n.sh --${target}`);
	const install = readEnvFile(envFile);
	const { version } = JSON.parse(
		readFileSync(path.join(install.N8N_DIR, 'node_modules', 'n8n', 'package.json'), 'utf8'),
	);
	return { target, ...install, version };
}
