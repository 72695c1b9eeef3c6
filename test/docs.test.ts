/**
 * The documents stay true to the code: every `docs/contract.md §N` a comment cites exists, each
 * reading in §13 names a test that exists, nothing cites notes outside the repository, and the
 * README names the n8n versions the e2e really installs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const contract = read('docs/contract.md');

const sourceFiles = execFileSync(
	'git',
	['ls-files', '--cached', '--others', '--exclude-standard'],
	{
		cwd: root,
		encoding: 'utf8',
	},
)
	.split('\n')
	.filter((file) => /^(nodes|credentials|dev|test)\/.*\.(ts|mjs)$/.test(file))
	.filter((file) => existsSync(path.join(root, file)));

/** "5.2" for "### 5.2 Templates…", "12" for "## 12. Decisions". */
const sections = new Set(
	[...contract.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((match) => match[1]),
);

describe('docs/contract.md', () => {
	it('has every section the code cites', () => {
		const cited = sourceFiles.flatMap((file) =>
			[...read(file).matchAll(/docs\/contract\.md[^\n§]{0,12}((?:§[\d.]+(?:[–,-] ?)?)+)/g)].flatMap(
				(match) =>
					[...match[1].matchAll(/§(\d+(?:\.\d+)?)/g)].map((section) => `${file} §${section[1]}`),
			),
		);
		expect(cited.length).toBeGreaterThan(10);
		expect(cited.filter((citation) => !sections.has(citation.split('§')[1]))).toEqual([]);
	});

	it('is cited instead of notes outside the repository', () => {
		expect(
			sourceFiles.filter((file) => /mnotify-api\.md|n8n-notes\.md|\/work\/shared/.test(read(file))),
		).toEqual([]);
	});

	it('names, for each reading the node relies on, a test that exists', () => {
		const readings = contract
			.split('\n')
			.filter((line) => /^\| R\d+ /.test(line))
			.map((line) => line.split('|').map((cell) => cell.trim()));
		expect(readings.length).toBeGreaterThanOrEqual(15);
		const missing = readings.flatMap(([, id, , , tested]) =>
			[...tested.matchAll(/`(test\/[^`]+)`/g)]
				.map((match) => match[1])
				.filter((file) => !existsSync(path.join(root, file)))
				.map((file) => `${id}: ${file}`),
		);
		expect(missing).toEqual([]);
		expect(readings.filter(([, , , , tested]) => !/`test\//.test(tested))).toEqual([]);
	});
});

describe('README', () => {
	it('names the n8n versions the e2e installs, and no known failure', () => {
		const installer = read('dev/real-n8n/install-n8n.sh');
		const versions = ['N8N2_VERSION', 'N8N1_VERSION'].map(
			(name) => new RegExp(`${name}="\\$\\{${name}:-([\\d.]+)\\}"`).exec(installer)?.[1],
		);
		const tested = /<!-- tested:start -->([\s\S]*?)<!-- tested:end -->/.exec(
			read('README.md'),
		)?.[1];
		expect(versions).toEqual([expect.stringMatching(/^2\./), expect.stringMatching(/^1\./)]);
		for (const version of versions) expect(tested).toContain(`n8n ${version}`);
		expect(tested).not.toMatch(/known issue|failed/i);
	});
});
