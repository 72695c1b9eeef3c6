/**
 * Answers checked before use, lists that always end and never truncate, a trigger that loses no
 * change, options, attachments and template variables checked like inputs, the agent guard, and
 * waiting for statuses, through n8n's engine over real mTLS against the
 * sandbox. Every test here failed on 0.1.0.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { engine, linearWorkflow, templateParameters, triggerWorkflow } from '../support/workflows';
import {
	closingChecks,
	markedItems,
	markedSendParameters,
	MAYBE_ACCEPTED,
	reliabilitySuite,
	SEND_PATH,
} from './support/harness';

const suite = reliabilitySuite('answers');
const main = suite.sandbox();
/** A sandbox of its own for the lists, so their contents are known. */
const lists = suite.sandbox({ statusStepMs: 50 });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeEach(() => {
	main.sandbox.clearFaults();
	lists.sandbox.clearFaults();
});

async function sendOne(handle = main): Promise<string> {
	const run = await suite.execute(markedSendParameters(), handle.credentials, {
		items: markedItems(suite, 1),
	});
	return run.output[0].json.id as string;
}

describe('7. Answers are checked before use', () => {
	it('a returned id that is not a UUID is never output nor put in a URL', async () => {
		main.injectFault(
			{ kind: 'body', body: '"../../api/template"' },
			{ method: 'POST', path: SEND_PATH },
		);
		const before = main.sandbox.stats.requests;
		const [item] = markedItems(suite, 1);
		const run = await suite.execute(
			markedSendParameters({ options: { waitForDelivery: true, waitTimeoutSeconds: 2 } }),
			main.credentials,
			{ items: [item] },
		);
		expect(run.error).toBeUndefined();
		expect(run.output[0].json).toMatchObject({
			id: null,
			warning: expect.stringMatching(/without a notification id/),
		});
		// The send only: no status read with that "id".
		expect(main.sandbox.stats.requests - before).toBe(1);
	});

	it('an answer over 16 MB is refused, not output and not asked for again', async () => {
		const id = await sendOne();
		main.injectFault(
			{ kind: 'oversized', bytes: 17 * 1024 * 1024 },
			{ method: 'GET', path: `/api/notification/${id}` },
		);
		const before = main.sandbox.stats.requests;
		const run = await suite.execute(
			{ resource: 'notification', operation: 'get', notificationId: id },
			main.credentials,
		);
		expect(run.output).toEqual([]);
		expect(run.error?.message).toMatch(/larger than 16 MB/);
		expect(main.sandbox.stats.requests - before).toBe(1);
	});

	it('a send answered with more than 16 MB is not repeated and says it may have been accepted', async () => {
		main.injectFault(
			{ kind: 'oversized', bytes: 17 * 1024 * 1024 },
			{ method: 'POST', path: SEND_PATH },
		);
		const [item] = markedItems(suite, 1);
		const run = await suite.execute(markedSendParameters(), main.credentials, { items: [item] });
		expect(run.error?.message).toMatch(/larger than 16 MB/);
		expect(`${run.error?.description}`).toMatch(MAYBE_ACCEPTED);
		expect(suite.sends.attemptsFor(item.json.subject as string)).toBe(1);
	});

	it('an error body kept in the error is cut short', async () => {
		const id = await sendOne();
		main.injectFault(
			{ kind: 'body', status: 404, body: JSON.stringify({ message: 'x'.repeat(1_000_000) }) },
			{ method: 'GET', path: `/api/notification/${id}` },
		);
		const run = await engine().run(
			linearWorkflow([
				{
					name: 'MNotify',
					parameters: { resource: 'notification', operation: 'get', notificationId: id },
				},
			]),
			{ credentials: { mNotifyApi: main.credentials } },
		);
		const error = run.data.resultData.runData.MNotify?.[0]?.error as
			{ httpCode?: string } | undefined;
		expect(error?.httpCode).toBe('404');
		// n8n saves the error with the execution: a megabyte of body must not come with it.
		expect(JSON.stringify(error).length).toBeLessThan(5_000);
	});

	const wrongShapes: Array<[string, string]> = [
		['null', 'null'],
		['a number', '42'],
		['text', '"Salut"'],
		['a list of numbers', '[1,2]'],
	];

	it.each(wrongShapes)('%s where an object is expected is a clear item error', async (_, body) => {
		const id = await sendOne();
		const reads: IDataObject[] = [
			{ resource: 'notification', operation: 'get', notificationId: id },
			{ resource: 'template', operation: 'get', templateId: { __rl: true, mode: 'id', value: id } },
			{ resource: 'notification', operation: 'getMany', limit: 5 },
		];
		for (const parameters of reads) {
			main.injectFault({ kind: 'body', body }, { method: 'GET' });
			const run = await suite.execute(parameters, main.credentials, { continueOnFail: true });
			expect({ parameters, error: run.error }).toEqual({ parameters, error: undefined });
			expect(run.output).toHaveLength(1);
			expect(run.output[0].json).toEqual(
				expect.objectContaining({
					error: expect.stringMatching(/null|number|text|list|entry/),
				}),
			);
			expect(typeof run.output[0].json).toBe('object');
		}
	});
});

describe('8. Options are validated like inputs', () => {
	it('a non-numeric Concurrency is an input error before anything is sent', async () => {
		const before = main.sandbox.stats.notificationSendsReceived;
		const run = await suite.execute(
			markedSendParameters({ options: { concurrency: '={{ "many" }}' } }),
			main.credentials,
			{ items: markedItems(suite, 3) },
		);
		expect(run.error?.message).toMatch(/Options › Concurrency must be a number.*\[item 0\]/);
		expect(main.sandbox.stats.notificationSendsReceived - before).toBe(0);
	});
});

describe('11. Return All always ends; 12.6 it never truncates', () => {
	let ids: string[] = [];
	beforeAll(async () => {
		const sent: string[] = [];
		for (let index = 0; index < 7; index++) {
			sent.push(await sendOne(lists));
			lists.sandbox.advanceClock(60_000);
		}
		ids = sent.reverse();
	});

	const returnAll = (options: IDataObject = {}) => ({
		resource: 'notification',
		operation: 'getMany',
		returnAll: true,
		options: { itemsPerPage: 5, ...options },
	});

	it('ends with a clear error when the server answers the same page whatever Page says', async () => {
		// Entries without ids: the same page cannot be told by its first id.
		lists.injectFault(
			{
				kind: 'body',
				body: '[{"status":"Sent"},{"status":"Sent"},{"status":"Sent"},{"status":"Sent"},{"status":"Sent"}]',
			},
			{ method: 'GET', path: SEND_PATH, times: 50 },
		);
		const run = await suite.execute(returnAll(), lists.credentials);
		expect(run.error?.message).toMatch(/same page twice/);
		lists.sandbox.clearFaults();
	}, 15_000);

	it('ends with a clear error when the real server ignores Page', async () => {
		lists.injectFault({ kind: 'ignore-page' }, { method: 'GET', path: SEND_PATH, times: 50 });
		const run = await suite.execute(returnAll(), lists.credentials);
		expect(run.error?.message).toMatch(/same page twice/);
	});

	it('walks on when the server gives fewer entries per page than asked', async () => {
		lists.injectFault(
			{ kind: 'page-size-cap', max: 2 },
			{ method: 'GET', path: SEND_PATH, times: 50 },
		);
		const run = await suite.execute(returnAll(), lists.credentials);
		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.json.id)).toEqual(ids);
	});

	it('"Created After" returns the window and stops paging at the first older notification', async () => {
		const windowStart = lists.sandbox
			.notifications()
			.find((record) => record.id === ids[2])!.createdAt;
		const before = lists.requestsTo('GET', SEND_PATH);
		const run = await suite.execute(
			returnAll({ itemsPerPage: 2, createdAfter: windowStart }),
			lists.credentials,
		);
		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.json.id)).toEqual(ids.slice(0, 2));
		// Pages of 2: the second page reaches the older ones; the rest is never asked for.
		expect(lists.requestsTo('GET', SEND_PATH) - before).toBe(2);
	});
});

describe('12.6 One Item per Message keeps every field MNotify returns', () => {
	it("keeps the recipient's and the message's own fields, known or not", async () => {
		const run = await suite.execute(
			{
				...markedSendParameters({
					recipients: { recipient: [{ type: 'Email', value: 'fail@example.md' }] },
				}),
				options: {
					waitForDelivery: true,
					pollIntervalSeconds: 1,
					waitTimeoutSeconds: 5,
					output: 'messages',
				},
			},
			main.credentials,
			{ items: markedItems(suite, 1) },
		);
		expect(run.error).toBeUndefined();
		const [row] = run.output.map((item) => item.json);
		const details = main.sandbox.notifications().find((record) => record.id === row.notificationId);
		expect(details).toBeDefined();
		expect(row).toMatchObject({
			notificationStatus: 'Failed',
			recipientType: 'Email',
			recipientValue: 'fail@example.md',
			recipientIsLegal: false,
			recipientCreatedBy: expect.any(String),
			messageStatus: 'Failed',
			createdBy: expect.any(String),
			lastUpdatedBy: expect.any(String),
			failureReason: expect.stringMatching(/rejected/),
		});
	});
});

describe('6. The trigger loses no change', () => {
	const workflow = triggerWorkflow(
		{ statuses: ['Delivered'], onlyNewNotifications: true, includeDetails: true },
		'trigger-safety',
	);
	const poll = async (staticData?: IDataObject) =>
		await engine().poll(workflow, 'MNotify Trigger', {
			credentials: { mNotifyApi: main.credentials },
			staticData,
		});

	it('a failed detail read leaves the state as it was, and a later poll emits the change', async () => {
		main.sandbox.advanceClock(60_000);
		const activation = await poll();
		expect(activation.error).toBeUndefined();
		const id = await sendOne();
		main.sandbox.advanceClock(60_000);
		main.injectFault(
			{ kind: 'status', status: 503, retryAfterSeconds: 0 },
			{ method: 'GET', path: `/api/notification/${id}`, times: 3 },
		);
		const failed = await poll(activation.staticData);
		expect(failed.error?.message).toMatch(/server error \(503\)/);
		expect(failed.staticData).toEqual(activation.staticData);

		const next = await poll(failed.staticData);
		expect(next.error).toBeUndefined();
		expect(next.items.map((item) => [item.json.id, item.json.status])).toEqual([[id, 'Delivered']]);
		expect(next.items[0].json.recipients).toEqual([
			expect.objectContaining({ value: '2000000000000' }),
		]);
	});
});

describe('12. Template variables have no prototype', () => {
	it('a variable named __proto__ is sent as data, not dropped', async () => {
		const template = await suite.execute(
			templateParameters({ name: suite.marker(), subject: 'Aviz {{nume}}' }),
			main.credentials,
		);
		const run = await suite.execute(
			{
				...markedSendParameters(),
				contentSource: 'template',
				templateId: { __rl: true, mode: 'id', value: template.output[0].json.id },
				variablesMode: 'keyValue',
				variables: {
					variable: [
						{ name: '__proto__', value: 'data' },
						{ name: 'nume', value: 'Ion' },
					],
				},
			},
			main.credentials,
			{ items: markedItems(suite, 1) },
		);
		expect(run.error).toBeUndefined();
		const stored = main.sandbox
			.notifications()
			.find((record) => record.id === run.output[0].json.id);
		const variables = JSON.parse(
			String((stored?.request as { template?: { variables?: string } }).template?.variables),
		) as Record<string, unknown>;
		expect(Object.keys(variables).sort()).toEqual(['__proto__', 'nume']);
	});
});

describe('13. The AI-agent guard knows production by its address', () => {
	it('a Custom URL pointing at mnotify.gov.md counts as production', async () => {
		const workflow = linearWorkflow([
			{
				name: 'MNotify Tool',
				parameters: markedSendParameters(),
				credentialId: 'custom-production',
			},
		]);
		workflow.nodes[1].type = 'n8n-nodes-mnotify.mNotifyTool';
		const run = await engine().run(workflow, {
			credentials: { mNotifyApi: { ...main.credentials, baseUrl: 'https://MNotify.gov.md:8443/' } },
			startItems: markedItems(suite, 1),
		});
		const error = run.data.resultData.runData['MNotify Tool']?.[0]?.error;
		expect(error?.message).toMatch(
			/AI agent tried to send a notification with a Production credential/,
		);
	});
});

describe('12.5 Statuses', () => {
	const waiting = (options: IDataObject) =>
		markedSendParameters({
			options: { waitForDelivery: true, pollIntervalSeconds: 1, waitTimeoutSeconds: 3, ...options },
		});

	it('waiting for Read goes on past Delivered', async () => {
		// The sandbox's notifications reach Delivered within 250 ms and never Read.
		const run = await suite.execute(waiting({ waitUntilStatuses: ['Read'] }), main.credentials, {
			items: markedItems(suite, 1),
		});
		expect(run.output[0].json).toMatchObject({ status: 'Delivered', waitTimedOut: true });
		expect(run.output[0].json.waitedSeconds).toBeGreaterThanOrEqual(2.9);
	});

	it('"Failed Delivery Is an Error" makes a failed delivery an item error, with the id, for the error output', async () => {
		const items: INodeExecutionData[] = [
			{ json: { person: 'Ion', email: 'ion@example.md', subject: suite.marker() } },
			{ json: { person: 'Failing', email: 'fail@example.md', subject: suite.marker() } },
		];
		const run = await suite.execute(
			{
				...waiting({ failedDeliveryIsError: true }),
				recipients: { recipient: [{ type: 'Email', value: '={{ $json.email }}' }] },
			},
			main.credentials,
			{ items, onError: 'continueErrorOutput' },
		);
		const failedId = main.sandbox
			.notifications()
			.find((record) => record.subject === items[1].json.subject)?.id;
		expect(run.output.map((item) => item.json.status)).toEqual(['Delivered']);
		expect(run.errorOutput).toHaveLength(1);
		expect(run.errorOutput[0].json).toEqual({
			...items[1].json,
			error: `Notification ${failedId} was not delivered: MNotify reports it Failed [item 1]`,
			message: expect.stringContaining(
				`It was sent (id ${failedId}); delivery failed for Email fail@example.md`,
			),
		});
		expect(failedId).toMatch(UUID);
	});
});

closingChecks(suite);
