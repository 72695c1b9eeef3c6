// Cases that use only n8n's built-in nodes: they prove the machinery (install, start, owner, API key,
// workflow create/run/activate, executions, webhooks, node types, credential test) without our package.
import assert from 'node:assert/strict';

import { readWorkflow } from '../../real-n8n/n8n.mjs';

/** A workflow of dev/e2e/workflows/. */
const workflow = (name) => readWorkflow(new URL(`../workflows/${name}`, import.meta.url));

/** @type {import('../run.mjs').Case[]} */
export const builtinCases = [
	{
		name: 'builtin: Manual Trigger -> Set (run + execution data)',
		async run({ n8n }) {
			const id = await n8n.createWorkflow(workflow('builtin-manual-set.json'));
			const ex = (await n8n.runManually(id)).assertSuccess();
			const [item] = ex.items('Set');
			assert.deepEqual(item, { greeting: 'hello from e2e', answer: 42, upper: 'MNOTIFY' });
			return `execution ${ex.id}: ${JSON.stringify(item)}`;
		},
	},
	{
		name: 'builtin: Webhook -> Respond to Webhook (activate + call)',
		async run({ n8n }) {
			const id = await n8n.createWorkflow(workflow('builtin-webhook-respond.json'));
			await n8n.activateWorkflow(id);
			try {
				const res = await n8n.callWebhook('e2e-echo', { body: { message: 'ping' } });
				assert.equal(res.status, 201, `webhook answered ${res.status}: ${res.body}`);
				assert.deepEqual(res.json, { echo: 'ping', sum: 42 });
				return `HTTP ${res.status} ${res.body}`;
			} finally {
				await n8n.deactivateWorkflow(id);
			}
		},
	},
	{
		name: 'builtin: node + credential types listed, icon served',
		async run({ n8n }) {
			const nodes = await n8n.nodeTypes();
			const set = nodes.find((n) => n.name === 'n8n-nodes-base.set');
			assert.ok(set, 'n8n-nodes-base.set missing from /types/nodes.json');
			const creds = await n8n.credentialTypes();
			assert.ok(
				creds.some((c) => c.name === 'n8nApi'),
				'n8nApi missing from /types/credentials.json',
			);
			const details = await n8n.nodeTypeDetails('n8n-nodes-base.set', 3.4);
			// (the description comes back with its short name, as in the package: 'set')
			assert.equal(details?.displayName, set.displayName);
			// A built-in icon is served from the same /icons/<package>/... route as a community package's.
			const withIcon = nodes.find((n) => n.iconUrl);
			const icons = await n8n.fetchIcons(withIcon.iconUrl);
			assert.ok(
				icons.every((i) => i.status === 200),
				`icon: ${JSON.stringify(icons)}`,
			);
			return `${nodes.length} node types, ${creds.length} credential types; icon ${icons[0].url} ${icons[0].contentType}`;
		},
	},
	{
		// n8n's own credential test, with a built-in credential that tests against this very server
		// (the n8n API credential): a good API key passes, a wrong one fails with a message.
		name: 'builtin: credential test endpoint (good + bad n8n API key)',
		async run({ n8n }) {
			const baseUrl = `${n8n.baseUrl}/api/v1`;
			const good = await n8n.testCredential({
				type: 'n8nApi',
				data: { apiKey: n8n.apiKey, baseUrl },
			});
			assert.equal(good.status, 'OK', `good key: ${JSON.stringify(good)}`);
			const bad = await n8n.testCredential({ type: 'n8nApi', data: { apiKey: 'wrong', baseUrl } });
			assert.equal(bad.status, 'Error', `bad key: ${JSON.stringify(bad)}`);
			assert.ok(bad.message, 'bad key: no message');
			return `good: ${good.status}; bad: ${bad.status} "${bad.message}"`;
		},
	},
];
