/**
 * Runs n8n's own community-package scanner (@n8n/scan-community-package) offline: on the packed
 * tarball, as `npx @n8n/scan-community-package` does after downloading it, and on the sources
 * (package.json, nodes/, credentials/) as its provenance leg does. The scanner applies n8n
 * Cloud's rules; this package deliberately breaks three of them (undici and node:tls imports, one
 * event-loop yield, one runtime dependency: see README, "Why self-hosted n8n only"). The scan
 * passes when every finding is one of those, and fails on anything else.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const CLOUD_ONLY_RULES = new Set([
	'@n8n/community-nodes/no-restricted-imports',
	'@n8n/community-nodes/no-restricted-globals',
	'@n8n/community-nodes/no-runtime-dependencies',
]);

const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'mnotify-scan-'));

function unpackTarball() {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
			cwd: root,
			encoding: 'utf8',
		}),
	);
	const directory = path.join(work, 'package');
	execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);
	return directory;
}

/** Findings as "rule file:line message" lines, from the scanner's stylish report. */
function findings(details) {
	const lines = [];
	let file = '';
	for (const line of (details ?? '').split('\n')) {
		if (line.startsWith('/')) file = path.relative(line.startsWith(work) ? work : root, line);
		const match = /^\s+(\d+):\d+\s+error\s+(.*?)\s{2,}(\S+)$/.exec(line);
		if (match) lines.push({ rule: match[3], where: `${file}:${match[1]}`, message: match[2] });
	}
	return lines;
}

let failed = false;
try {
	for (const [label, directory, patterns] of [
		['packed tarball', unpackTarball(), undefined],
		['sources', root, SOURCE_FILE_PATTERNS],
	]) {
		const result = await analyzePackage(directory, patterns);
		const found = findings(result.details);
		if (!result.passed && found.length === 0) {
			console.error(`${label}: the scanner failed: ${result.message}`);
			failed = true;
			continue;
		}
		const unexpected = found.filter((finding) => !CLOUD_ONLY_RULES.has(finding.rule));
		console.log(
			`${label}: ${found.length} finding(s), ${found.length - unexpected.length} of them n8n Cloud-only restrictions we accept, ${unexpected.length} other`,
		);
		for (const finding of found) {
			const tag = CLOUD_ONLY_RULES.has(finding.rule) ? 'accepted' : 'PROBLEM ';
			console.log(`  ${tag} ${finding.rule}  ${finding.where}  ${finding.message}`);
		}
		if (unexpected.length > 0) failed = true;
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}
console.log(failed ? 'scan: FAILED' : 'scan: passed (only the documented n8n Cloud restrictions)');
process.exitCode = failed ? 1 : 0;
