/**
 * Runs n8n's own community-package scanner (@n8n/scan-community-package, `analyzePackage`)
 * offline on the two things `npx @n8n/scan-community-package` lints: the packed tarball, and the
 * sources (package.json, nodes/, credentials/) as its provenance leg does after checking out the
 * attested commit. The provenance check itself needs the registry's attestations and is not run.
 *
 * The scanner applies n8n Cloud's rules, and it FAILS this package: the package is for
 * self-hosted n8n only (README, "Why self-hosted n8n only") and deviates on purpose. This script
 * prints the scanner's verdict as it is, every finding grouped by rule and by what it is about
 * (a module, a global, a runtime dependency) with the files, and the documented reason of each.
 * It exits non-zero on any finding that is not one of DEVIATIONS below.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const IMPORTS = '@n8n/community-nodes/no-restricted-imports';
const GLOBALS = '@n8n/community-nodes/no-restricted-globals';
const DEPENDENCIES = '@n8n/community-nodes/no-runtime-dependencies';

/** rule → what the finding is about → why. The same deviations as eslint.config.mjs lists. */
const DEVIATIONS = {
	[IMPORTS]: {
		undici: 'pooled keep-alive mutual TLS, and telling when a write reached a connection',
		'node:tls': "the client certificate's secure context and the handshake probe",
		'node:timers/promises': "yielding the event loop; spacing the processed-data store's calls",
		pg: 'the PostgreSQL sent-ledger, through n8n’s own postgres credential',
		'node:net':
			"the CONNECT tunnel through a corporate proxy (undici 7's ProxyAgent reconnects in a loop when a proxy closes the connection)",
	},
	[GLOBALS]: {
		setTimeout: 'per-attempt deadlines and waits that a stop or an answer cancels',
		clearTimeout: 'cancelling those deadlines',
		process: 'reading HTTPS_PROXY / NO_PROXY for a corporate proxy (README, proxy settings)',
		setInterval:
			"the PostgreSQL ledger's heartbeat: a live run keeps its claims fresh, so Re-Send Outcome Unknown takes over only claims of runs that are gone",
		clearInterval: 'ending that heartbeat when the run closes',
	},
	// The scanner ignores eslint-disable comments; these two are disabled in the code, with the reason.
	'@n8n/community-nodes/credential-password-field': {
		"Field 'caCertificates' appears to be a sensitive field but is missing 'typeOptions: { password: true }'":
			'Extra CA Certificates are public certificates, not secrets: shown so the user sees what was pasted',
	},
	'n8n-nodes-base/node-param-default-missing': {
		'Add a default [autofixable]':
			"the Send option groups take their defaults from their definitions (Bulk Safety's safe defaults); the rule only recognises a literal",
	},
	[DEPENDENCIES]: {
		undici: 'runtime dependency, not bundled (docs/dependencies.md)',
		pg: 'runtime dependency, not bundled (docs/dependencies.md)',
	},
};

const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'mnotify-scan-'));
const dependencies = Object.keys(
	JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies ?? {},
);

function unpackTarball() {
	const [packed] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
			cwd: root,
			encoding: 'utf8',
		}),
	);
	execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', work]);
	return path.join(work, 'package');
}

/** Findings from the scanner's stylish report: {rule, file, line, message}. */
function findings(details, base) {
	const found = [];
	let file = '';
	for (const line of (details ?? '').split('\n')) {
		if (line.startsWith('/')) file = path.relative(base, line);
		const match = /^\s+(\d+):\d+\s+error\s+(.*?)\s{2,}(\S+)$/.exec(line);
		if (match) found.push({ rule: match[3], file, line: match[1], message: match[2] });
	}
	return found;
}

/** What a finding is about: the module or global it names; for runtime dependencies, each one. */
function subjects(finding) {
	if (finding.rule === DEPENDENCIES) return dependencies;
	const named = /(?:of|global) '([^']+)'/.exec(finding.message);
	return [named ? named[1] : finding.message];
}

/** Prints one leg's findings grouped by rule and subject; returns the undocumented ones. */
function report(label, result, base) {
	const found = findings(result.details, base);
	console.log(
		`\n${label}: n8n's scanner says ${result.passed ? 'PASSED' : `NOT PASSED (${result.message})`}, ${found.length} finding(s)`,
	);
	if (!result.passed && found.length === 0) return [`${label}: ${result.message}`];
	const groups = new Map();
	for (const finding of found) {
		for (const subject of subjects(finding)) {
			const key = `${finding.rule}\t${subject}`;
			if (!groups.has(key)) groups.set(key, []);
			groups.get(key).push(`${finding.file}:${finding.line}`);
		}
	}
	const undocumented = [];
	for (const [key, places] of groups) {
		const [rule, subject] = key.split('\t');
		const reason = DEVIATIONS[rule]?.[subject];
		if (!reason) undocumented.push(`${label}: ${rule} ${subject} in ${places.join(', ')}`);
		console.log(`  ${reason ? 'documented  ' : 'UNDOCUMENTED'} ${rule}  ${subject}`);
		console.log(`      in ${places.join(', ')}`);
		console.log(
			`      why: ${reason ?? 'no documented reason: fix it, or document it here and in eslint.config.mjs'}`,
		);
	}
	return undocumented;
}

let undocumented = [];
let passed = true;
try {
	for (const [label, directory, patterns, base] of [
		['packed tarball', unpackTarball(), undefined, work],
		['sources', root, SOURCE_FILE_PATTERNS, root],
	]) {
		const result = await analyzePackage(directory, patterns);
		passed &&= result.passed;
		undocumented = undocumented.concat(report(label, result, base));
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}

console.log(
	`\nn8n's scanner: ${passed ? 'passed' : 'FAILS this package (as expected for a self-hosted-only package: not eligible for n8n Cloud verification)'}`,
);
if (undocumented.length > 0) {
	console.log(`scan: FAILED, ${undocumented.length} finding(s) beyond the documented deviations:`);
	for (const line of undocumented) console.log(`  ${line}`);
	process.exitCode = 1;
} else {
	console.log('scan: OK, every finding is a documented deviation (see the reasons above)');
}
