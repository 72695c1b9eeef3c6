// Cases for our package (n8n-nodes-mnotify) installed as a community package, against the sandbox.
// Examples: every examples/*.json is run; its assertion lives in dev/e2e/examples.mjs (default: success).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { createReminderTemplate, exampleAssertions } from '../examples.mjs';
import { contractCases, exampleCredential } from './contract.mjs';
import { safetyCases } from './safety.mjs';
import { bindCredentials, readWorkflow } from '../../real-n8n/n8n.mjs';
import { REPO_DIR } from '../../real-n8n/util.mjs';

const PKG = 'n8n-nodes-mnotify';
const NODE_TYPE = `${PKG}.mNotify`;
const CREDENTIAL_TYPE = 'mNotifyApi';

/** Client certificates that must fail n8n's credential test, and what the reason should mention. */
const BAD_CERTIFICATES = [
	{
		label: 'signed by an unknown CA',
		client: { untrustedCa: true },
		reason: /certificate|handshake|tls|ssl|trust/i,
	},
	{
		label: 'not registered with MNotify',
		client: { registered: false },
		reason: /regist|401|unauthori[sz]ed|not (known|recogni[sz]ed)/i,
	},
	{ label: 'expired', client: { expired: true }, reason: /expired|certificate/i },
	{
		label: 'wrong passphrase',
		client: {},
		data: { passphrase: 'not-the-passphrase' },
		reason: /passphrase|password|decrypt|mac/i,
	},
];

function assertIcons(icons, what) {
	assert.ok(icons.length > 0, `${what}: no iconUrl`);
	for (const i of icons) {
		assert.equal(i.status, 200, `${what}: GET /${i.url} -> ${i.status}`);
		assert.match(
			i.contentType ?? '',
			/image\/svg\+xml|image\/png/,
			`${what}: ${i.url} content-type ${i.contentType}`,
		);
		assert.ok(i.bytes > 100, `${what}: ${i.url} is ${i.bytes} bytes`);
	}
}

const exampleDir = path.join(REPO_DIR, 'examples');
const exampleFiles = (() => {
	try {
		// In the order of dev/e2e/examples.mjs (the delivery report last: it counts what the others
		// sent), then any file without an entry.
		const order = Object.keys(exampleAssertions);
		const rank = (f) => (order.includes(f) ? order.indexOf(f) : order.length);
		return readdirSync(exampleDir)
			.filter((f) => f.endsWith('.json'))
			.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
	} catch {
		return [];
	}
})();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Manual Trigger → "Input" (Edit Fields, raw JSON: one item holding `json`) → [Split Out `splitField`]
 * → "Send" (our node with `send` parameters), bound to the examples' credential.
 */
async function sendWorkflow(ctx, { name, json, splitField, send }) {
	const nodes = [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} },
		{
			name: 'Input',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			parameters: { mode: 'raw', jsonOutput: JSON.stringify(json), options: {} },
		},
		...(splitField
			? [
					{
						name: 'Split Out',
						type: 'n8n-nodes-base.splitOut',
						typeVersion: 1,
						parameters: { fieldToSplitOut: splitField, options: {} },
					},
				]
			: []),
		{
			name: 'Send',
			type: NODE_TYPE,
			typeVersion: 1,
			parameters: { resource: 'notification', operation: 'send', ...send },
			credentials: { [CREDENTIAL_TYPE]: { id: 'x', name: 'x' } },
		},
	].map((node, index) => ({ ...node, position: [220 * index, 0] }));
	const connections = Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((node, index) => [
				node.name,
				{ main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]] },
			]),
	);
	const workflow = bindCredentials({ name, nodes, connections }, await exampleCredential(ctx));
	return await ctx.n8n.createWorkflow(workflow);
}

const recipientsOf = (notification) =>
	notification.recipients.map(({ type, value }) => ({ type, value }));

/** @type {import('../run.mjs').Case[]} */
export const packageCases = [
	{
		name: 'package: Send with recipients and texts From Input Fields (one per item)',
		async run(ctx) {
			const people = [1, 2, 3].map((n) => ({
				idnp: `200000000010${n}`,
				contact: { email: `person${n}@example.md` },
				subject: `Aviz ${n}`,
				body: `<p>Suma: ${n * 100} lei</p>`,
				shortBody: `Suma: ${n * 100} lei`,
			}));
			const id = await sendWorkflow(ctx, {
				name: 'e2e: Send From Input Fields',
				json: { people },
				splitField: 'people',
				send: {
					recipientsMode: 'fields',
					recipientFields: {
						field: [
							{ type: 'IDNP', name: 'idnp' },
							{ type: 'Email', name: 'contact.email' },
						],
					},
					contentSource: 'fields',
				},
			});
			const execution = (await ctx.n8n.runManually(id)).assertSuccess();
			const sent = execution.items('Send');
			assert.equal(sent.length, people.length, `Send output: ${JSON.stringify(sent)}`);
			const all = ctx.sandbox.sandbox.notifications();
			sent.forEach((item, index) => {
				assert.match(String(item.id), UUID);
				const stored = all.find((n) => n.id === item.id);
				assert.deepEqual(recipientsOf(stored), [
					{ type: 'IDNP', value: people[index].idnp },
					{ type: 'Email', value: people[index].contact.email },
				]);
				assert.equal(stored.request.subject.ro, people[index].subject);
				assert.equal(stored.request.bodyShort.ro, people[index].shortBody);
			});
			return `${sent.length} notifications, each to its item's IDNP and e-mail with its own texts`;
		},
	},
	{
		name: 'package: template picked from the list, its placeholders Mapped Automatically from input fields',
		async run(ctx) {
			const credentials = { [CREDENTIAL_TYPE]: (await exampleCredential(ctx))[CREDENTIAL_TYPE] };
			const templateId = await createReminderTemplate({ ...ctx, state: ctx.state });
			// What the editor asks for: the Template list, then the mapper's fields for the pick.
			const editorRequest = (path, methodName, currentNodeParameters, extra = {}) =>
				ctx.n8n.rest('POST', `/dynamic-node-parameters/${path}`, {
					nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
					credentials,
					currentNodeParameters,
					methodName,
					...extra,
				});
			const send = {
				resource: 'notification',
				operation: 'send',
				recipientsMode: 'fields',
				recipientFields: { field: [{ type: 'IDNP', name: 'idnp' }] },
				contentSource: 'template',
				variablesMode: 'mapper',
			};
			const listed = await editorRequest('resource-locator-results', 'searchTemplates', send, {
				path: 'parameters.templateId',
				filter: 'payment',
			});
			const choice = listed.results.find((result) => result.value === templateId);
			assert.ok(choice, `template ${templateId} not in the list: ${JSON.stringify(listed)}`);
			send.templateId = {
				__rl: true,
				mode: 'list',
				value: choice.value,
				cachedResultName: choice.name,
			};
			const { fields } = await editorRequest(
				'resource-mapper-fields',
				'getTemplatePlaceholders',
				send,
				{
					path: 'parameters.variablesMapping',
				},
			);
			assert.deepEqual(
				fields.map((field) => field.id).sort(),
				['amount', 'dueDate', 'service'],
				`mapper fields: ${JSON.stringify(fields)}`,
			);
			send.variablesMapping = {
				mappingMode: 'autoMapInputData',
				value: null,
				matchingColumns: [],
				schema: fields,
			};

			const people = [1, 2].map((n) => ({
				idnp: `200000000030${n}`,
				dueDate: `0${n}.12.2026`,
				amount: `${n}50`,
				service: 'impozitul funciar',
				note: 'not a placeholder: not sent',
			}));
			const id = await sendWorkflow(ctx, {
				name: 'e2e: Map Automatically',
				json: { people },
				splitField: 'people',
				send,
			});
			const sent = (await ctx.n8n.runManually(id)).assertSuccess().items('Send');
			assert.equal(sent.length, people.length, `Send output: ${JSON.stringify(sent)}`);
			const all = ctx.sandbox.sandbox.notifications();
			sent.forEach((item, index) => {
				const stored = all.find((n) => n.id === item.id);
				const { dueDate, amount, service } = people[index];
				assert.deepEqual(JSON.parse(stored.request.template.variables), {
					dueDate,
					amount,
					service,
				});
				assert.equal(stored.subject, `Plată scadentă la ${dueDate}`);
			});
			return `"${choice.name}" picked from the list; fields ${fields.map((f) => f.id).join(', ')}; ${sent.length} sends, subjects rendered`;
		},
	},
	{
		name: 'package: Send to every IDNP of a list field in one notification',
		async run(ctx) {
			const idnps = Array.from({ length: 300 }, (_, n) => String(2000000001000 + n));
			const id = await sendWorkflow(ctx, {
				name: 'e2e: Send to a list field',
				json: { idnps },
				send: {
					recipientsMode: 'fields',
					recipientFields: { field: [{ type: 'IDNP', name: 'idnps' }] },
					subject: 'Aviz colectiv',
					body: '<p>Aviz pentru toți.</p>',
					shortBody: 'Aviz pentru toți.',
				},
			});
			const execution = (await ctx.n8n.runManually(id)).assertSuccess();
			const [sent] = execution.items('Send');
			const stored = ctx.sandbox.sandbox.notifications().find((n) => n.id === sent.id);
			assert.deepEqual(
				stored.recipients.map((r) => r.value),
				idnps,
			);
			return `notification ${sent.id} to ${stored.recipients.length} IDNPs`;
		},
	},

	{
		name: 'package: node + credential in node types, with icons',
		async run({ n8n }) {
			const nodes = (await n8n.nodeTypes()).filter((n) => n.name.startsWith(`${PKG}.`));
			const node = nodes.find((n) => n.name === NODE_TYPE);
			assert.ok(
				node,
				`${NODE_TYPE} not in /types/nodes.json (package nodes: ${nodes.map((n) => n.name).join(', ') || 'none'})`,
			);
			assert.ok(
				node.credentials?.some((c) => c.name === CREDENTIAL_TYPE),
				`${NODE_TYPE} does not use ${CREDENTIAL_TYPE}`,
			);
			assertIcons(await n8n.fetchIcons(node.iconUrl), NODE_TYPE);

			const cred = (await n8n.credentialTypes()).find((c) => c.name === CREDENTIAL_TYPE);
			assert.ok(cred, `${CREDENTIAL_TYPE} not in /types/credentials.json`);
			assertIcons(await n8n.fetchIcons(cred.iconUrl), CREDENTIAL_TYPE);

			const version = Array.isArray(node.version) ? Math.max(...node.version) : node.version;
			const details = await n8n.nodeTypeDetails(NODE_TYPE, version);
			assert.ok(
				details?.properties?.length > 0,
				`POST /rest/node-types gave no properties for ${NODE_TYPE}`,
			);
			return `${nodes.map((n) => n.name).join(', ')} (v${version}, ${details.properties.length} properties); ${CREDENTIAL_TYPE}; icons ${JSON.stringify(node.iconUrl)}`;
		},
	},
	{
		name: 'package: credential test passes for a good certificate',
		async run({ n8n, sandbox }) {
			const res = await n8n.testCredential({
				type: CREDENTIAL_TYPE,
				data: sandbox.credentialData(),
			});
			assert.equal(res.status, 'OK', `expected OK, got ${JSON.stringify(res)}`);
			// The PEM form of the same certificate, too.
			const pem = await n8n.testCredential({
				type: CREDENTIAL_TYPE,
				data: sandbox.credentialData(undefined, 'pem'),
			});
			assert.equal(pem.status, 'OK', `PEM: expected OK, got ${JSON.stringify(pem)}`);
			return `pfx: ${res.status} "${res.message}"; pem: ${pem.status}`;
		},
	},
	...BAD_CERTIFICATES.map((bad) => ({
		name: `package: credential test fails readably: ${bad.label}`,
		async run({ n8n, sandbox }) {
			const client = sandbox.sandbox.issueClientCertificate({
				senderName: 'n8n e2e (bad)',
				...bad.client,
			});
			const data = { ...sandbox.credentialData(client), ...(bad.data ?? {}) };
			const res = await n8n.testCredential({ type: CREDENTIAL_TYPE, data });
			assert.equal(res.status, 'Error', `expected Error, got ${JSON.stringify(res)}`);
			assert.ok(
				typeof res.message === 'string' && res.message.length > 15,
				`message too thin: ${JSON.stringify(res.message)}`,
			);
			assert.doesNotMatch(res.message, /\[object Object\]|^undefined$/);
			assert.doesNotMatch(
				res.message,
				new RegExp(data.passphrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
				'message leaks the passphrase',
			);
			assert.match(res.message, bad.reason, `reason not recognisable: "${res.message}"`);
			return `"${res.message}"`;
		},
	})),
	// The credential export the sandbox CLI writes (.sandbox/credential.json), imported as a user would.
	{
		name: 'package: sandbox CLI credential export is a valid mNotifyApi credential',
		async run(ctx) {
			const [exported] = ctx.sandbox.cliExport();
			const known = new Set(
				(await ctx.n8n.credentialTypes())
					.find((c) => c.name === CREDENTIAL_TYPE)
					.properties.map((p) => p.name),
			);
			const unknown = Object.keys(exported.data).filter((k) => !known.has(k));
			assert.deepEqual(
				unknown,
				[],
				`credential.json has fields the credential does not define: ${unknown.join(', ')} (defined: ${[...known].join(', ')})`,
			);
			const byType = await ctx.n8n.importCredentialExport(ctx.sandbox.cliExport());
			const res = await ctx.n8n.testCredential({
				id: byType[CREDENTIAL_TYPE].id,
				type: CREDENTIAL_TYPE,
				data: exported.data,
				name: exported.name,
			});
			assert.equal(res.status, 'OK', `testing the imported credential: ${JSON.stringify(res)}`);
			return `imported as ${byType[CREDENTIAL_TYPE].id}; test ${res.status}`;
		},
	},
	...contractCases,
	...exampleFiles.map((file) => ({
		name: `example: ${file}`,
		async run(ctx) {
			const entry = exampleAssertions[file] ?? exampleAssertions.default;
			const spec = typeof entry === 'function' ? { assert: entry } : entry;
			if (!exampleAssertions[file])
				console.log(`  (no entry for ${file} in dev/e2e/examples.mjs: checking success only)`);
			const original = readWorkflow(path.join(exampleDir, file));
			let wf = bindCredentials(original, await exampleCredential(ctx));
			if (spec.prepare) wf = await spec.prepare(wf, ctx);
			const id = await ctx.n8n.createWorkflow(wf);
			const args = { workflow: wf, workflowId: id, ...ctx };
			if (spec.trigger || wf.nodes.some((n) => n.type === 'n8n-nodes-base.manualTrigger')) {
				const execution = await ctx.n8n.runManually(id, {
					timeoutMs: 120_000,
					trigger: spec.trigger,
				});
				return await spec.assert({ execution, ...args });
			}
			// A trigger-started example: it is activated, and its assertion makes the trigger fire and
			// waits for the run (n8n.waitForNextExecution(workflowId), n8n.callWebhook(path)).
			await spec.beforeActivate?.(args);
			await ctx.n8n.activateWorkflow(id);
			try {
				return await spec.assert({ execution: null, ...args });
			} finally {
				await ctx.n8n.deactivateWorkflow(id);
			}
		},
	})),
	...safetyCases,
];
