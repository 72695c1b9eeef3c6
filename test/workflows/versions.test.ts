/**
 * Node version 1.1, safe by default, against version 1 unchanged: through n8n's engine (which
 * fills a node's defaults for its version, as the editor does for a node just added), n8n's own
 * processed-data store on PostgreSQL, and the sandbox over mTLS. What went out is read from the
 * sandbox's store.
 */
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import { nodeOutput } from '../../dev/harness/engine';
import { PRODUCTION_TUNNEL, useProductionTunnel } from '../support/connectProxy';
import { useProcessedDataStore } from '../support/processedData';
import { useSandbox } from '../support/sandbox';
import {
	engine,
	items,
	linearWorkflow,
	runNode,
	sendParameters,
	templateParameters,
	triggerWorkflow,
	type StepDefinition,
} from '../support/workflows';

jest.setTimeout(60_000);

// The sandbox also answers as the production host, reached through a CONNECT proxy below.
const fixture = useSandbox({
	statusStepMs: 0,
	extraServerHostnames: [PRODUCTION_TUNNEL.split(':')[0]],
});
const ledger = useProcessedDataStore('versions_test');

/** One MNotify node in a workflow of its own id (each test its own dedupe row). */
async function run(
	workflowId: string,
	step: Omit<StepDefinition, 'name'>,
	startItems: INodeExecutionData[] = [{ json: {} }],
): Promise<IRun> {
	const workflow = { ...linearWorkflow([{ name: 'MNotify', ...step }]), id: workflowId };
	return await engine().run(workflow, {
		credentials: { mNotifyApi: fixture.credentials },
		startItems,
	});
}

async function output(...args: Parameters<typeof run>): Promise<IDataObject[]> {
	return nodeOutput(await run(...args), 'MNotify').map((item) => item.json);
}

const hintsOf = (result: IRun) =>
	(result.data.resultData.runData.MNotify?.[0]?.hints ?? []).map((hint) => hint.message);

/** How many notifications the sandbox holds for this recipient. */
const received = (value: string) =>
	fixture.sandbox
		.notifications()
		.filter((notification) => notification.recipients.some((r) => r.value === value)).length;

/** A send as a new user leaves it: recipient and texts, no options touched. */
const plainSend = (idnp: string) => sendParameters([{ type: 'IDNP', value: idnp }]);

describe('Skip Already Notified by default (version 1.1)', () => {
	it('a fresh node at 1.1 skips, on the second click, the people the first one notified', async () => {
		const idnp = '2004000000001';
		const first = await run('v11-default', { parameters: plainSend(idnp), typeVersion: 1.1 });
		expect(typeof nodeOutput(first, 'MNotify')[0].json.id).toBe('string');
		expect(hintsOf(first)).toContain('Sent 1 notification.');

		const second = await run('v11-default', { parameters: plainSend(idnp), typeVersion: 1.1 });
		const [skipped] = nodeOutput(second, 'MNotify').map((item) => item.json);
		expect(skipped).toMatchObject({
			skipped: true,
			sent: false,
			reason: 'alreadySent',
			recipients: [{ type: 'IDNP', value: idnp }],
		});
		expect(received(idnp)).toBe(1);
		expect(hintsOf(second)).toEqual([
			'Sent 0 notifications. Not sent: 1 already notified by an earlier run (items with skipped: true).',
		]);
		// Remembered for a time window (two periods of 14 days), not a key count.
		expect(await ledger.store.rows('v11-default')).toEqual([{ context: 'n:step-0', count: 2 }]);
	});

	it('a version-1 node with the same parameters sends every time and records nothing', async () => {
		const idnp = '2004000000002';
		for (let click = 0; click < 2; click++) {
			const [sent] = await output('v1-default', { parameters: plainSend(idnp), typeVersion: 1 });
			expect(typeof sent.id).toBe('string');
		}
		expect(received(idnp)).toBe(2);
		expect(await ledger.store.rows('v1-default')).toEqual([]);
	});

	it('shows the defaults in the panel: Bulk Safety holds Skip Already Notified and 14 days', async () => {
		const description = await engine().nodeDescription();
		expect(description.version).toEqual([1, 1.1]);
		expect(description.defaultVersion).toBe(1.1);
		const bulkSafety = description.properties.find((property) => property.name === 'bulkSafety');
		expect(bulkSafety?.default).toEqual({
			dedupe: true,
			dedupeRetention: 'days',
			dedupeRetentionDays: 14,
		});
		const notice = description.properties.find((property) => property.name === 'realSendsNotice');
		expect(notice?.displayName).toMatch(/Every run sends real notifications, Execute step/);
	});

	it('shows parameters only on top-level values n8n 1.x can order (no nested paths)', async () => {
		const description = await engine().nodeDescription();
		const names = new Set(description.properties.map((property) => property.name));
		const keys = description.properties.flatMap((property) => [
			...Object.keys(property.displayOptions?.show ?? {}),
			...Object.keys(property.displayOptions?.hide ?? {}),
		]);
		// "@version" and "/root.paths" are fine; a sibling must be a parameter of the same level.
		expect(keys.filter((key) => !/^[@/]/.test(key) && !names.has(key))).toEqual([]);
	});

	it('turned off in Bulk Safety, sends again; its other options are read from their groups', async () => {
		const idnp = '2004000000003';
		const parameters = { ...plainSend(idnp), bulkSafety: { dedupe: false, concurrency: 1 } };
		for (let click = 0; click < 2; click++) {
			await output('v11-off', { parameters, typeVersion: 1.1 });
		}
		expect(received(idnp)).toBe(2);

		const wrong = await run('v11-off', {
			parameters: { ...plainSend(idnp), bulkSafety: { concurrency: 'many' } },
			typeVersion: 1.1,
		});
		expect(wrong.data.resultData.error?.message).toMatch(
			/^Bulk Safety › Concurrency must be a number from 1 to 32.*\[item 0\]$/,
		);
	});

	it("reads the agent guard rails from 1.1's AI Agent group", async () => {
		const before = fixture.sandbox.stats.requests;
		const threePeople = sendParameters(
			['2004000000005', '2004000000006', '2004000000007'].map((value) => ({ type: 'IDNP', value })),
			{ aiAgent: { maxRecipientsPerAgentCall: 2 } },
		);
		const workflow = linearWorkflow([
			{ name: 'MNotify Tool', parameters: threePeople, typeVersion: 1.1 },
		]);
		workflow.nodes[1].type = 'n8n-nodes-mnotify.mNotifyTool'; // as n8n runs an agent's tool
		const result = await engine().run(workflow, {
			credentials: { mNotifyApi: fixture.credentials },
		});
		expect(result.data.resultData.error?.message).toBe(
			'An AI agent tried to notify 3 recipients in one call; the limit is 2',
		);
		expect(fixture.sandbox.stats.requests).toBe(before);
	});

	it('Send Only To is one setting with its type, in Bulk Safety', async () => {
		const idnp = '2004000000004';
		const [sent] = await output('v11-test-recipient', {
			parameters: {
				...plainSend(idnp),
				bulkSafety: { sendOnlyTo: { recipient: { type: 'Email', value: 'analyst@example.md' } } },
			},
			typeVersion: 1.1,
		});
		expect(sent.recipients).toEqual([{ type: 'Email', value: 'analyst@example.md' }]);
		expect(received(idnp)).toBe(0);
		expect(received('analyst@example.md')).toBeGreaterThanOrEqual(1);
	});
});

describe('with a Production credential (the production host tunnelled to the sandbox)', () => {
	const { tunnelsToProduction } = useProductionTunnel(() => fixture.sandbox.port);
	const production = () => ({ ...fixture.credentials, environment: 'production' });
	const hintsWithType = (result: IRun) =>
		(result.data.resultData.runData.MNotify?.[0]?.hints ?? []).map(({ type, message }) => ({
			type,
			message,
		}));

	it('a manual run that notified people says so as a warning, and how a second click behaves', async () => {
		const idnp = '2004000000091';
		const workflow = {
			...linearWorkflow([{ name: 'MNotify', parameters: plainSend(idnp), typeVersion: 1.1 }]),
			id: 'v11-production',
		};
		const result = await engine().run(workflow, { credentials: { mNotifyApi: production() } });
		expect(tunnelsToProduction()).toBeGreaterThan(0);
		expect(received(idnp)).toBe(1);
		expect(hintsWithType(result)).toEqual([
			{ type: 'info', message: 'Sent 1 notification.' },
			{
				type: 'warning',
				message:
					'Production: this manual run notified real people (1 notification). Skip Already Notified is on: running it again skips them.',
			},
		]);
	});

	it("an agent's Send at 1.1 reaches Production only with the AI Agent group's opt-in", async () => {
		const agentSend = (idnp: string, aiAgent: IDataObject) => {
			const workflow = linearWorkflow([
				{
					name: 'MNotify Tool',
					parameters: { ...plainSend(idnp), aiAgent },
					typeVersion: 1.1,
				},
			]);
			workflow.nodes[1].type = 'n8n-nodes-mnotify.mNotifyTool'; // as n8n runs an agent's tool
			return engine().run(workflow, { credentials: { mNotifyApi: production() } });
		};
		const before = tunnelsToProduction();
		const refused = await agentSend('2004000000092', {});
		expect(refused.data.resultData.error?.message).toBe(
			'An AI agent tried to send a notification with a Production credential',
		);
		expect(tunnelsToProduction()).toBe(before);
		expect(received('2004000000092')).toBe(0);

		const allowed = await agentSend('2004000000093', { allowProductionFromAgents: true });
		expect(allowed.data.resultData.error).toBeUndefined();
		expect(received('2004000000093')).toBe(1);
	});
});

describe('output that reads', () => {
	let templateId: string;
	beforeAll(async () => {
		const [created] = await runNode(
			templateParameters({
				name: 'Payment reminder',
				subject: 'Plată scadentă la {{dueDate}}',
				body: '<p>{{RecipientFirstName}}, plata de {{amount}} lei este scadentă la {{dueDate}}.</p>',
				shortBody: 'Plata de {{amount}} lei: {{dueDate}}.',
			}),
			fixture.credentials,
		);
		templateId = created.json.id as string;
	});

	const templateSend = (idnp: string, extra: IDataObject = {}) => ({
		resource: 'notification',
		operation: 'send',
		recipients: { recipient: [{ type: 'IDNP', value: idnp }] },
		contentSource: 'template',
		templateId: { __rl: true, mode: 'id', value: templateId },
		variablesMode: 'mapper',
		variablesMapping: { mappingMode: 'autoMapInputData', value: null },
		...extra,
	});
	const bill = [{ json: { amount: 100, dueDate: '15.03.2027' } }];
	const stored = (id: unknown) =>
		fixture.sandbox.notifications().find((notification) => notification.id === id)?.request as
			{ template: { variables: string } } | undefined;

	it('1.1: the rendered texts, the template by name, the variables as an object, sent as text', async () => {
		const [sent] = await output(
			'v11-template',
			{ parameters: templateSend('2004000000010'), typeVersion: 1.1 },
			bill,
		);
		expect(sent).toMatchObject({
			template: {
				id: templateId,
				name: 'Payment reminder',
				variables: { amount: '100', dueDate: '15.03.2027' },
			},
			rendered: {
				subject: { ro: 'Plată scadentă la 15.03.2027' },
				bodyShort: { ro: 'Plata de 100 lei: 15.03.2027.' },
			},
		});
		expect(JSON.parse(stored(sent.id)!.template.variables)).toEqual({
			amount: '100',
			dueDate: '15.03.2027',
		});
	});

	it('1.1 with Send Variables As "Their JSON Types" sends the number as a number', async () => {
		const [sent] = await output(
			'v11-typed',
			{ parameters: templateSend('2004000000011', { variableTypes: 'asGiven' }), typeVersion: 1.1 },
			bill,
		);
		expect(JSON.parse(stored(sent.id)!.template.variables)).toEqual({
			amount: 100,
			dueDate: '15.03.2027',
		});
	});

	it('version 1 keeps its output and typed values: variables as JSON text, rendered texts added', async () => {
		const [sent] = await output(
			'v1-template',
			{ parameters: templateSend('2004000000012'), typeVersion: 1 },
			bill,
		);
		expect(sent.template).toEqual({
			id: templateId,
			name: 'Payment reminder',
			variables: expect.any(String),
		});
		expect(sent.rendered).toMatchObject({ subject: { ro: 'Plată scadentă la 15.03.2027' } });
		expect(JSON.parse(stored(sent.id)!.template.variables)).toEqual({
			amount: 100,
			dueDate: '15.03.2027',
		});
	});

	it('a template id typed by hand that does not exist says to pick it from the list', async () => {
		const result = await run('v11-missing-template', {
			parameters: {
				...templateSend('2004000000013'),
				templateId: { __rl: true, mode: 'id', value: '00000000-0000-4000-8000-000000000000' },
			},
			typeVersion: 1.1,
		});
		const error = result.data.resultData.error as unknown as {
			message: string;
			description: string;
		};
		expect(error.message).toMatch(/\(404\) \[item 0\]$/);
		expect(error.description).toMatch(/Pick it from the list \(Template › From List\)/);
	});
});

describe('errors and stop reports', () => {
	/** Item 2 has a resolution policy MNotify refuses (400); the others are fine. */
	const refusedThird = (count: number) =>
		items(count, (index) => ({ idnp: `200400000002${index}`, bad: index === 2 }));
	const withRefusal = {
		...sendParameters([{ type: 'IDNP', value: '={{ $json.idnp }}' }]),
		resolutionPolicy: {
			policy: {
				resolveTo: '={{ $json.bad ? "Passport" : "" }}',
				direction: '={{ $json.bad ? "Owner" : "" }}',
			},
		},
		bulkSafety: { dedupe: false, concurrency: 1 },
	};

	it('a run stopped part-way reports in short lines, naming On Error → Continue', async () => {
		const result = await run(
			'v11-stop',
			{ parameters: withRefusal, typeVersion: 1.1 },
			refusedThird(4),
		);
		const error = result.data.resultData.error as unknown as {
			message: string;
			description: string;
		};
		expect(error.message).toBe(
			'MNotify rejected the request to send the notification as invalid (400) [item 2]',
		);
		const report = error.description.split('\n\n').at(-1)!.split('\n');
		expect(report[0]).toBe('This run stopped part-way.');
		expect(report[1]).toBe('Sent, do not send again: 2 (items 0–1).');
		expect(report[2]).toMatch(/^Their ids: item 0 \([0-9a-f-]{36}\), item 1 \([0-9a-f-]{36}\)\.$/);
		expect(report[3]).toBe('Not sent: items 2–3.');
		expect(report[4]).toMatch(/^Next: .*Settings › On Error to "Continue"/);
		expect(report.every((line) => line.split(' ').length <= 60)).toBe(true);
	});

	it('Continue On Fail keeps the input fields on the error item, as the error output does', async () => {
		const result = await run(
			'v11-continue',
			{ parameters: withRefusal, typeVersion: 1.1, onError: 'continueRegularOutput' },
			refusedThird(3),
		);
		const [, , failed] = nodeOutput(result, 'MNotify').map((item) => item.json);
		expect(failed).toMatchObject({
			idnp: '2004000000022',
			bad: true,
			error: 'MNotify rejected the request to send the notification as invalid (400) [item 2]',
			httpCode: '400',
		});
	});
});

describe('the panels', () => {
	it("offers the trigger's statuses as actions in n8n's nodes panel, under Trigger On", async () => {
		const trigger = await engine().nodeDescription('mNotifyTrigger');
		// n8n lists a trigger's actions from a property named "Trigger On", "Event" or "Events".
		const statuses = trigger.properties.find((property) => property.name === 'statuses');
		expect(statuses?.displayName).toBe('Trigger On');
		expect(statuses?.options).toContainEqual(
			expect.objectContaining({ value: 'Delivered', action: 'Notification delivered' }),
		);
	});

	it('shows the credential help under the fields, and the CA certificates unmasked', async () => {
		const fields = Object.fromEntries(
			(await engine().credentialProperties()).map((field) => [field.name, field]),
		);
		expect(fields.pfxCertificate.hint).toContain(
			'macOS <code>base64 -i client.pfx -o client.pfx.txt</code>',
		);
		expect(fields.pfxCertificate.typeOptions?.password).toBe(true);
		expect(fields.caCertificates.typeOptions?.password).toBeUndefined();
	});
});

describe('the trigger at 1.1', () => {
	it('outputs the recipients and messages by default; version 1 does not', async () => {
		const [sent] = await runNode(
			sendParameters([{ type: 'IDNP', value: '2004000000030' }]),
			fixture.credentials,
		);
		// The sandbox's status clock is off here: the notification stays Pending.
		const credentials = { mNotifyApi: fixture.credentials };
		const sample = async (typeVersion: number) =>
			(
				await engine().poll(
					triggerWorkflow({ statuses: ['Pending'] }, 'trigger-versions', typeVersion),
					'MNotify Trigger',
					{ credentials, mode: 'manual' },
				)
			).items[0].json;
		const latest = await sample(1.1);
		expect(latest.id).toBe(sent.json.id);
		expect(latest.recipients).toEqual([
			expect.objectContaining({ value: '2004000000030', messages: expect.any(Array) }),
		]);
		expect(await sample(1)).not.toHaveProperty('recipients');
	});
});
