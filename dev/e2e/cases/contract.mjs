// Cases for the contract points (docs/contract.md), in a real n8n against the strict sandbox: a template
// send carries the template's texts (1), an unfilled placeholder is refused before anything is
// sent and Template → Preview lists it (2), and a certificate that expires within 30 days shows
// as an execution hint, read from the execution data n8n's API returns (9). Node version 1.1: a
// fresh node skips, on a second run, those the first notified (version 1 sends again), and a
// template send outputs the template's name, its variables and the rendered texts.
import assert from 'node:assert/strict';

import { bindCredentials } from '../../real-n8n/n8n.mjs';

const NODE_TYPE = 'n8n-nodes-mnotify.mNotify';
const CREDENTIAL_TYPE = 'mNotifyApi';

const TEMPLATE = {
	name: 'e2e contract reminder',
	description: 'A payment due, for the contract cases',
	subject: 'Plată la {{dueDate}}',
	body: '<p>Stimate {{RecipientFirstName}}, {{amount}} lei până la {{dueDate}}.</p>',
	shortBody: '{{amount}} lei până la {{dueDate}}',
};

/** Manual Trigger → the given MNotify nodes in a row, bound to `credentials`. */
function workflow(name, steps, credentials) {
	const nodes = [
		{
			parameters: {},
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
		},
		...steps.map(([stepName, parameters, typeVersion = 1], index) => ({
			parameters,
			name: stepName,
			type: NODE_TYPE,
			typeVersion,
			position: [220 * (index + 1), 0],
			credentials: { [CREDENTIAL_TYPE]: { id: 'x', name: 'x' } },
		})),
	];
	const connections = {};
	for (let index = 0; index < nodes.length - 1; index++) {
		connections[nodes[index].name] = {
			main: [[{ node: nodes[index + 1].name, type: 'main', index: 0 }]],
		};
	}
	return bindCredentials({ name, nodes, connections }, credentials);
}

async function run(ctx, name, steps, credentials) {
	const id = await ctx.n8n.createWorkflow(workflow(name, steps, credentials));
	return await ctx.n8n.runManually(id);
}

/**
 * The saved credential the examples use (once per run): the good client certificate as a user fills
 * the dialog. Returns {mNotifyApi: {id, name}} for bindCredentials(). (The CLI's export file has its
 * own case, so a problem there does not hide whether the examples work.)
 */
export async function exampleCredential(ctx) {
	ctx.state.exampleCredential ??= await ctx.n8n.importCredentialExport({
		name: 'MNotify sandbox',
		type: CREDENTIAL_TYPE,
		data: ctx.sandbox.credentialData(),
	});
	return ctx.state.exampleCredential;
}

const send = (templateId, variables) => ({
	resource: 'notification',
	operation: 'send',
	recipients: { recipient: [{ type: 'IDNP', value: '2000000000001' }] },
	contentSource: 'template',
	templateId: { __rl: true, mode: 'id', value: templateId },
	variables: { variable: Object.entries(variables).map(([name, value]) => ({ name, value })) },
	priority: 'Low',
});

/** The template, stored straight in the sandbox (the cases test sends, not Template → Create). */
async function createTemplate(ctx) {
	const created = await ctx.sandbox.api('POST', '/api/template', {
		name: TEMPLATE.name,
		description: TEMPLATE.description,
		subject: { ro: TEMPLATE.subject },
		body: { ro: TEMPLATE.body },
		bodyShort: { ro: TEMPLATE.shortBody },
	});
	assert.equal(created.status, 200, JSON.stringify(created.json));
	return created.json;
}

/** @type {import('../run.mjs').Case[]} */
export const contractCases = [
	{
		name: 'contract: a template send carries the template texts; Preview lists a missing placeholder',
		async run(ctx) {
			const credentials = await exampleCredential(ctx);
			const execution = await run(
				ctx,
				'e2e contract: template texts',
				[
					['Create Template', { resource: 'template', operation: 'create', ...TEMPLATE }],
					[
						'Preview',
						{
							resource: 'template',
							operation: 'preview',
							templateId: {
								__rl: true,
								mode: 'id',
								value: "={{ $('Create Template').first().json.id }}",
							},
							variables: { variable: [{ name: 'amount', value: '12' }] },
						},
					],
					[
						'Send',
						send("={{ $('Create Template').first().json.id }}", {
							amount: '120',
							dueDate: '01.12.2026',
						}),
					],
				],
				credentials,
			);
			execution.assertSuccess();
			const [template] = execution.items('Create Template');

			const [preview] = execution.items('Preview');
			assert.deepEqual(preview.missingPlaceholders, ['dueDate'], JSON.stringify(preview));
			const previewHints = execution.runData.Preview.at(-1).hints ?? [];
			assert.ok(
				previewHints.some((hint) => /would be refused: \{\{dueDate\}\}/.test(hint.message)),
				`Preview hints: ${JSON.stringify(previewHints)}`,
			);

			const [sent] = execution.items('Send');
			const stored = ctx.sandbox.sandbox.notifications().find((n) => n.id === sent.id);
			assert.ok(stored, `the sandbox has no notification ${sent.id}`);
			assert.deepEqual(
				{
					subject: stored.request.subject,
					body: stored.request.body,
					bodyShort: stored.request.bodyShort,
				},
				{
					subject: { ro: TEMPLATE.subject },
					body: { ro: TEMPLATE.body },
					bodyShort: { ro: TEMPLATE.shortBody },
				},
				'the request carries the template’s own texts',
			);
			assert.equal(stored.request.template.id, template.id);
			assert.equal(stored.content.subject.ro, 'Plată la 01.12.2026');
			return `template ${template.id}: sent ${sent.id} with its texts ("${stored.content.subject.ro}"); preview missing ${preview.missingPlaceholders}`;
		},
	},
	{
		name: 'contract: an unfilled placeholder stops the run before anything is sent',
		async run(ctx) {
			const credentials = await exampleCredential(ctx);
			const templateId = await createTemplate(ctx);
			const before = ctx.sandbox.sandbox.stats.notificationSendsReceived;
			const execution = await run(
				ctx,
				'e2e contract: unfilled placeholder',
				[['Send', send(templateId, { amount: '120' })]],
				credentials,
			);
			assert.equal(execution.status, 'error', `status ${execution.status}`);
			const error = execution.nodeError('Send');
			assert.equal(
				error?.message,
				`The variables leave a placeholder of template "${TEMPLATE.name}" unfilled: {{dueDate}} (no variable) [item 0]`,
			);
			assert.equal(ctx.sandbox.sandbox.stats.notificationSendsReceived, before, 'nothing sent');
			return `"${error.message}"; sends received: 0`;
		},
	},
	{
		name: 'versions: a fresh 1.1 node skips those already notified on a second run; version 1 sends again',
		async run(ctx) {
			const credentials = await exampleCredential(ctx);
			const outcomes = {};
			for (const typeVersion of [1.1, 1]) {
				const idnp = typeVersion === 1 ? '2000000000071' : '2000000000072';
				const id = await ctx.n8n.createWorkflow(
					workflow(
						`e2e versions: send at ${typeVersion}`,
						[
							[
								'Send',
								{
									resource: 'notification',
									operation: 'send',
									recipients: { recipient: [{ type: 'IDNP', value: idnp }] },
									subject: 'Aviz e2e',
									body: '<p>Aviz</p>',
									shortBody: 'Aviz',
								},
								typeVersion,
							],
						],
						credentials,
					),
				);
				const runs = [];
				const hints = [];
				for (let click = 0; click < 2; click++) {
					const execution = await ctx.n8n.runManually(id);
					execution.assertSuccess();
					runs.push(execution.items('Send')[0]);
					hints.push((execution.runData.Send.at(-1).hints ?? []).map((hint) => hint.message));
				}
				const received = ctx.sandbox.sandbox
					.notifications()
					.filter((n) => n.recipients.some((r) => r.value === idnp)).length;
				outcomes[typeVersion] = { second: runs[1], received, hints };
			}
			assert.equal(outcomes[1.1].received, 1, 'version 1.1 sent once over two runs');
			assert.equal(outcomes[1.1].second.skipped, true, JSON.stringify(outcomes[1.1].second));
			assert.equal(outcomes[1.1].second.reason, 'alreadySent');
			assert.deepEqual(outcomes[1.1].second.recipients, [{ type: 'IDNP', value: '2000000000072' }]);
			// The totals hint on every run, in words.
			assert.deepEqual(outcomes[1.1].hints, [
				['Sent 1 notification.'],
				[
					'Sent 0 notifications. Not sent: 1 already notified by an earlier run (items with skipped: true).',
				],
			]);
			assert.equal(outcomes[1].received, 2, 'version 1 sent on both runs');
			assert.equal(typeof outcomes[1].second.id, 'string');
			return `1.1: second run skipped (${outcomes[1.1].second.reason}), 1 received; 1: 2 received`;
		},
	},
	{
		name: 'versions: a 1.1 template send outputs the name, the variables as text and the rendered texts',
		async run(ctx) {
			const credentials = await exampleCredential(ctx);
			const templateId = await createTemplate(ctx);
			const parameters = {
				...send(templateId, { amount: '={{ 120 }}', dueDate: '01.12.2026' }),
				bulkSafety: { dedupe: false },
			};
			const execution = await run(
				ctx,
				'e2e versions: rendered template',
				[['Send', parameters, 1.1]],
				credentials,
			);
			execution.assertSuccess();
			const [sent] = execution.items('Send');
			assert.deepEqual(sent.template, {
				id: templateId,
				name: TEMPLATE.name,
				variables: { amount: '120', dueDate: '01.12.2026' },
			});
			assert.equal(sent.rendered.subject.ro, 'Plată la 01.12.2026');
			assert.equal(sent.rendered.bodyShort.ro, '120 lei până la 01.12.2026');
			const stored = ctx.sandbox.sandbox.notifications().find((n) => n.id === sent.id);
			assert.deepEqual(JSON.parse(stored.request.template.variables), {
				amount: '120',
				dueDate: '01.12.2026',
			});
			return `rendered "${sent.rendered.subject.ro}", variables ${JSON.stringify(sent.template.variables)}`;
		},
	},
	{
		name: 'warnings: a certificate that expires within 30 days is an execution hint',
		async run(ctx) {
			const client = ctx.sandbox.sandbox.issueClientCertificate({
				senderName: 'n8n e2e (expiring)',
				expiresInDays: 10,
			});
			const credentials = await ctx.n8n.importCredentialExport({
				name: 'MNotify sandbox (expiring)',
				type: CREDENTIAL_TYPE,
				data: ctx.sandbox.credentialData(client),
			});
			const execution = await run(
				ctx,
				'e2e warnings: certificate expiry',
				[['List', { resource: 'notification', operation: 'getMany', limit: 1 }]],
				credentials,
			);
			execution.assertSuccess();
			const hints = execution.runData.List.at(-1).hints ?? [];
			const expiry = hints.find((hint) =>
				/^The MNotify client certificate [0-9A-F]+ expires on \d{4}-\d{2}-\d{2} \(in (9|10) days\)/.test(
					hint.message,
				),
			);
			assert.ok(expiry, `hints in the execution data: ${JSON.stringify(hints)}`);
			assert.equal(expiry.type, 'warning');
			return `hint: "${expiry.message.slice(0, 90)}…"`;
		},
	},
];
