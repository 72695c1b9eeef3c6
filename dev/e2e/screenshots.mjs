#!/usr/bin/env node
// Screenshots of our node in a real n8n editor: the MNotify node panel and the credential dialog.
//
//   npm run build && node dev/e2e/screenshots.mjs            # writes docs/screenshots/*.png
//   node dev/e2e/screenshots.mjs --out=/tmp/shots --n8n1
//
// Uses Debian's Chromium (/usr/bin/chromium; `apt-get install -y chromium`, done here when missing
// and running as root) driven by playwright-core, which is installed into the e2e cache (never the repo).
// Env: MNOTIFY_E2E_CACHE, E2E_WORK_DIR, CHROMIUM (browser path).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { installedN8n, N8N_CACHE } from '../real-n8n/install.mjs';
import { bindCredentials, OWNER, readWorkflow, serverOf } from '../real-n8n/n8n.mjs';
import { installPackage } from '../real-n8n/package.mjs';
import { startSandbox } from '../real-n8n/sandbox.mjs';
import { REPO_DIR, run, workDirOf } from '../real-n8n/util.mjs';

const PLAYWRIGHT_VERSION = '1.65.1';
const args = process.argv.slice(2);
const target = args.includes('--n8n1') ? 'n8n1' : 'n8n2';
const outDir = path.resolve(
	args.find((a) => a.startsWith('--out='))?.slice(6) ?? path.join(REPO_DIR, 'docs', 'screenshots'),
);
const workDir = workDirOf(`screenshots-${target}`);
const userFolder = path.join(workDir, 'user');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

const t0 = performance.now();
const log = (m) =>
	console.log(`[screenshots ${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`);

async function ensureTools() {
	if (!existsSync(CHROMIUM)) {
		if (process.getuid?.() !== 0)
			throw new Error(`${CHROMIUM} missing: apt-get install -y chromium`);
		log('installing Debian chromium');
		await run(
			'bash',
			[
				'-c',
				'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
			],
			{ prefix: '  ' },
		);
	}
	const pwDir = path.join(N8N_CACHE, 'playwright');
	const marker = path.join(pwDir, 'node_modules', 'playwright-core', 'package.json');
	if (
		!existsSync(marker) ||
		createRequire(import.meta.url)(marker).version !== PLAYWRIGHT_VERSION
	) {
		log(`installing playwright-core@${PLAYWRIGHT_VERSION} into ${pwDir}`);
		mkdirSync(pwDir, { recursive: true });
		await run(
			'npm',
			[
				'i',
				'--prefix',
				pwDir,
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
				'--no-save',
				`playwright-core@${PLAYWRIGHT_VERSION}`,
			],
			{ prefix: '  ' },
		);
	}
	return createRequire(path.join(pwDir, 'package.json'))('playwright-core');
}

async function main() {
	const { chromium } = await ensureTools();
	const install = await installedN8n(target);

	rmSync(workDir, { recursive: true, force: true });
	mkdirSync(userFolder, { recursive: true });
	mkdirSync(outDir, { recursive: true });
	await installPackage({ userFolder, workDir });
	const sandbox = await startSandbox({ logDir: workDir });
	const n8n = serverOf(install, { userFolder });
	let browser;
	try {
		await n8n.start();
		await n8n.setupOwner();
		await n8n.login();
		await n8n.createApiKey();
		log(`n8n at ${n8n.baseUrl}`);

		const cred = await n8n.createCredential({
			name: 'MNotify sandbox',
			type: 'mNotifyApi',
			data: sandbox.credentialData(),
		});
		const byType = { mNotifyApi: { id: cred.id, name: cred.name } };
		// The scheduled reminder example, pointing at a template that exists (so the picker shows it).
		const template = await sandbox.api('POST', '/api/template', {
			name: 'Payment reminder',
			subject: { ro: 'Plată scadentă la {{dueDate}}' },
			body: {
				ro: '<p>Plata de {{amount}} lei pentru {{service}} este scadentă la {{dueDate}}.</p>',
			},
		});
		const wf = bindCredentials(
			readWorkflow(path.join(REPO_DIR, 'examples', 'scheduled-reminder.json')),
			byType,
		);
		const node = wf.nodes.find((n) => n.type === 'n8n-nodes-mnotify.mNotify');
		node.parameters.templateId.value = String(template.json).replace(/"/g, '');
		const wfId = await n8n.createWorkflow(wf);
		const triggerWf = bindCredentials(
			readWorkflow(path.join(REPO_DIR, 'examples', 'delivery-trigger.json')),
			byType,
		);
		const triggerWfId = await n8n.createWorkflow(triggerWf);

		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: CHROMIUM_ARGS,
			headless: true,
		});
		const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
		page.setDefaultTimeout(30_000);

		await page.goto(`${n8n.baseUrl}/signin`);
		await page
			.locator('input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]')
			.first()
			.fill(OWNER.email);
		await page.locator('input[type="password"]').first().fill(OWNER.password);
		await page.keyboard.press('Enter');
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
		log('logged in');

		/** Opens a workflow, captures the canvas (optional), then the panel of one node. */
		const capture = async (id, nodeName, panelFile, canvasFile) => {
			await page.goto(`${n8n.baseUrl}/workflow/${id}`);
			await page.getByText(nodeName, { exact: true }).first().waitFor();
			await page.waitForTimeout(1000);
			if (canvasFile) await page.screenshot({ path: path.join(outDir, canvasFile) });
			await page
				.locator('[data-test-id="canvas-node"], .vue-flow__node')
				.filter({ hasText: nodeName })
				.filter({ hasNotText: 'For real use' }) // not the example's sticky note, which names nodes
				.first()
				.dblclick({ force: true }); // the canvas pane sits over the label
			await page
				.locator('[data-test-id="ndv"], .ndv-wrapper, [data-test-id="node-parameters"]')
				.first()
				.waitFor();
			await page.waitForTimeout(1500);
			await page.screenshot({ path: path.join(outDir, panelFile) });
			log(`${panelFile} captured`);
		};
		await capture(wfId, node.name, 'mnotify-node.png', 'mnotify-workflow.png');
		// The same panel further down: node version 1.1's option groups, Bulk Safety as added.
		await page.getByText('Bulk Safety', { exact: true }).first().scrollIntoViewIfNeeded();
		await page.waitForTimeout(500);
		await page.screenshot({ path: path.join(outDir, 'mnotify-options.png') });
		log('mnotify-options.png captured');
		await capture(triggerWfId, 'MNotify Trigger', 'mnotify-trigger.png');

		// The credential dialog, opened from the credentials list.
		await page.goto(`${n8n.baseUrl}/home/credentials/${cred.id}`);
		await page.getByText('MNotify sandbox').first().waitFor();
		await page.locator('[data-test-id="editCredential-modal"], .el-dialog').first().waitFor();
		await page.waitForTimeout(1500);
		await page.screenshot({ path: path.join(outDir, 'mnotify-credential.png') });
		log('credential dialog captured');
		log(`PNG files in ${outDir}`);
	} catch (e) {
		console.error(e);
		console.error(`n8n log tail:\n${n8n.logTail(30)}`);
		process.exitCode = 1;
	} finally {
		await browser?.close();
		await n8n.stop();
		await sandbox.close();
	}
}

await main();
