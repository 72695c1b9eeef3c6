// Installs our package into an n8n user folder the way n8n installs a community package.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { REPO_DIR, run } from './util.mjs';

/** `npm pack` the repo (its dist/ must be built) into workDir. Returns the tarball's path. */
export async function packPackage(workDir) {
	const pkg = JSON.parse(readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8'));
	for (const f of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
		if (!existsSync(path.join(REPO_DIR, f)))
			throw new Error(`${f} missing: run \`npm run build\` first`);
	}
	const out = await run('npm', ['pack', '--pack-destination', workDir, '--silent'], {
		cwd: REPO_DIR,
		quiet: true,
	});
	return path.join(workDir, out.trim().split('\n').pop());
}

/**
 * `npm i <tarball>` (packed now unless `tgz` is given) in <userFolder>/.n8n/nodes, a plain npm
 * project as n8n keeps it. Only runtime dependencies come along (no dev, no peer: n8n-workflow is
 * n8n's own). Node types are then `<package name>.<node>`. Returns {tgz, installed}.
 */
export async function installPackage({ userFolder, workDir, tgz }) {
	const pkg = JSON.parse(readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8'));
	tgz ??= await packPackage(workDir);
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(nodesDir, { recursive: true });
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true }, null, 2),
	);
	await run(
		'npm',
		[
			'i',
			tgz,
			'--ignore-scripts',
			'--omit=dev',
			'--omit=peer',
			'--no-package-lock',
			'--no-audit',
			'--no-fund',
			'--prefer-offline',
		],
		{ cwd: nodesDir, prefix: '  ' },
	);
	const installed = path.join(nodesDir, 'node_modules', pkg.name);
	if (!existsSync(path.join(installed, 'package.json')))
		throw new Error(`${installed} not installed`);
	if (existsSync(path.join(nodesDir, 'node_modules', 'n8n-workflow'))) {
		throw new Error(
			'n8n-workflow got installed next to the package (the peer dependency must come from n8n)',
		);
	}
	return { tgz, installed };
}
