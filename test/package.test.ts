/**
 * What `npm pack` publishes (dist/ as `n8n-node build` emits it) and how package.json asks npm
 * to install it: the files n8n loads are there, nothing else is, and n8n-workflow is left to n8n.
 * The repository commits no key material.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Paths in the tarball, from npm's own dry run (dist/ is built by jest's global setup). */
function packedFiles(): string[] {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--silent'], {
			cwd: root,
			encoding: 'utf8',
		}),
	);
	return packed.files.map((file: { path: string }) => file.path).sort();
}

describe('the published package', () => {
	const files = packedFiles();

	it('holds every node and credential n8n loads, each node with its codex and icons', () => {
		const entries: string[] = [...pkg.n8n.nodes, ...pkg.n8n.credentials];
		expect(entries.filter((entry) => !files.includes(entry))).toEqual([]);
		const codex = pkg.n8n.nodes.map((node: string) => node.replace(/\.js$/, '.json'));
		expect(codex.filter((file: string) => !files.includes(file))).toEqual([]);
		expect(files).toEqual(
			expect.arrayContaining(['dist/icons/mnotify.svg', 'dist/icons/mnotify.dark.svg']),
		);
	});

	it('holds nothing but the built package, the README and the licence', () => {
		const extra = files.filter(
			(file) =>
				!/^dist\/(nodes|credentials|icons)\/.+\.(js|js\.map|json|svg)$/.test(file) &&
				!['package.json', 'README.md', 'LICENSE.md'].includes(file),
		);
		expect(extra).toEqual([]);
	});

	it('leaves n8n-workflow to n8n: an optional peer dependency, never installed by plain npm', () => {
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.peerDependenciesMeta).toEqual({ 'n8n-workflow': { optional: true } });
		expect(Object.keys(pkg.dependencies ?? {})).not.toContain('n8n-workflow');
	});
});

describe('the repository', () => {
	it('commits no private keys or PFX files', () => {
		const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
		expect(tracked.filter((file) => /\.(pfx|p12|key)$/i.test(file))).toEqual([]);
		// A key header alone (a placeholder) is fine; a header followed by key data is not.
		const keyBlock = /-----BEGIN [A-Z ]*PRIVATE KEY-----\s*\n[A-Za-z0-9+/=]{40,}/;
		const withKeys = tracked
			.filter((file) => file !== '' && existsSync(path.join(root, file)))
			.filter((file) => keyBlock.test(readFileSync(path.join(root, file), 'utf8')));
		expect(withKeys).toEqual([]);
	});
});
