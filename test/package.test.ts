import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

describe('the published package', () => {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: root,
			encoding: 'utf8',
		}),
	) as Array<{ files: Array<{ path: string }> }>;
	const files = packed.files.map((file) => file.path);

	it('holds the built credential, node, codex and both icons', () => {
		expect(files).toEqual(
			expect.arrayContaining([
				'dist/credentials/MNotifyApi.credentials.js',
				'dist/nodes/MNotify/MNotify.node.js',
				'dist/nodes/MNotify/MNotify.node.json',
				'dist/icons/mnotify.svg',
				'dist/icons/mnotify.dark.svg',
				'package.json',
			]),
		);
	});

	it('holds nothing from the tests, the sandbox or the tools', () => {
		expect(files.filter((file) => /(^|\/)(test|dev)\//.test(file))).toEqual([]);
		expect(files.every((file) => file.startsWith('dist/') || !file.includes('/'))).toBe(true);
	});

	it('points n8n at files that exist in it', () => {
		const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
			n8n: { credentials: string[]; nodes: string[] };
		};
		for (const file of [...manifest.n8n.credentials, ...manifest.n8n.nodes]) {
			expect(files).toContain(file);
		}
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
