/**
 * Warnings people see: the certificate-expiry warning on every run of the node (an n8n execution
 * hint) and of the trigger (n8n has no hints for polling triggers: on the items it emits), panel
 * hints for the rules people trip on, "e.g." placeholders, labels short enough not to be cut,
 * and the Notification picker. Over real TLS, through n8n's engine.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';
import { useSandbox } from '../support/sandbox';
import {
	engine,
	linearWorkflow,
	runNode,
	runSteps,
	sendParameters,
	triggerWorkflow,
} from '../support/workflows';

const fixture = useSandbox();

const EXPIRY_HINT =
	/^The MNotify client certificate [0-9A-F]+ expires on \d{4}-\d{2}-\d{2} \(in (9|10) days\)\. Ask STISC for a new certificate and register it with MEGA before then/;

const listNotifications = { resource: 'notification', operation: 'getMany', limit: 1 };

function expiringCredentials(): Record<string, string> {
	const certificate = fixture.sandbox.issueClientCertificate({ expiresInDays: 10 });
	return sandboxCredentials(fixture.sandbox.url, certificate);
}

const trigger = triggerWorkflow({ statuses: ['Delivered'], onlyNewNotifications: true });

describe('the certificate-expiry warning', () => {
	it('is an execution hint on every run of the node while the certificate ends within 30 days', async () => {
		const credentials = expiringCredentials();
		for (const run of [1, 2]) {
			const result = await runSteps(
				[{ name: 'MNotify', parameters: listNotifications }],
				credentials,
			);
			const hints = result.data.resultData.runData.MNotify[0].hints ?? [];
			expect([run, hints]).toEqual([
				run,
				[expect.objectContaining({ message: expect.stringMatching(EXPIRY_HINT), type: 'warning' })],
			]);
		}
	});

	it('is not given for a certificate valid for longer', async () => {
		const result = await runSteps(
			[{ name: 'MNotify', parameters: listNotifications }],
			fixture.credentials,
		);
		expect(result.data.resultData.runData.MNotify[0].hints ?? []).toEqual([]);
	});

	it('rides on the items the trigger emits, and on its test event', async () => {
		const credentials = { mNotifyApi: expiringCredentials() };
		const activation = await engine().poll(trigger, 'MNotify Trigger', { credentials });
		await runNode(
			sendParameters([{ type: 'IDNP', value: '2000000000000' }]),
			credentials.mNotifyApi,
		);
		fixture.sandbox.advanceClock(10_000);
		const next = await engine().poll(trigger, 'MNotify Trigger', {
			credentials,
			staticData: activation.staticData,
		});
		expect(next.items).toHaveLength(1);
		expect(next.items[0].json).toMatchObject({
			status: 'Delivered',
			certificateWarning: expect.stringMatching(EXPIRY_HINT),
		});
		const sample = await engine().poll(trigger, 'MNotify Trigger', {
			credentials,
			mode: 'manual',
		});
		expect(sample.items[0].json.certificateWarning).toMatch(EXPIRY_HINT);

		const valid = await engine().poll(trigger, 'MNotify Trigger', {
			credentials: { mNotifyApi: fixture.credentials },
			mode: 'manual',
		});
		expect(valid.items[0].json).not.toHaveProperty('certificateWarning');
	});
});

/** Every parameter, option and collection field of a description, depth first. */
function everyParameter(properties: INodeProperties[]): INodeProperties[] {
	return properties.flatMap((property) => [
		property,
		...everyParameter(
			(property.options ?? []).flatMap((option) =>
				'values' in option ? option.values : 'type' in option ? [option as INodeProperties] : [],
			),
		),
	]);
}

describe('the panel', () => {
	const descriptions = async () => [
		await engine().nodeDescription('mNotify'),
		await engine().nodeDescription('mNotifyTrigger'),
		{ properties: await engine().credentialProperties() },
	];

	it('has no label long enough to be cut off in the parameter panel', async () => {
		const long = (await descriptions())
			.flatMap((description) => everyParameter(description.properties))
			.filter((property) => property.type !== 'notice' && property.displayName.length > 31)
			.map((property) => property.displayName);
		expect(long).toEqual([]);
	});

	it('writes placeholders in n8n’s "e.g." style', async () => {
		const placeholders = (await descriptions())
			.flatMap((description) => everyParameter(description.properties))
			.filter((property) => ['string', 'resourceLocator'].includes(property.type))
			.flatMap((property) => [
				property.placeholder,
				...(property.modes ?? []).map((mode) => mode.placeholder),
			])
			.filter((placeholder): placeholder is string => typeof placeholder === 'string');
		expect(placeholders.length).toBeGreaterThan(8);
		expect(placeholders.filter((placeholder) => !placeholder.startsWith('e.g. '))).toEqual([]);
	});

	it('hints at the rules people trip on, under the fields', async () => {
		const [node] = await descriptions();
		const hints = Object.fromEntries(
			everyParameter(node.properties)
				.filter((property) => property.hint)
				.map((property) => [property.name, property.hint]),
		);
		expect(hints).toMatchObject({
			subject: expect.stringMatching(/At most 41 characters/),
			shortBody: expect.stringMatching(/SMS.*160 characters/),
			waitForDelivery: expect.stringMatching(
				/thousands of recipients, use the MNotify Trigger rather than Wait for Delivery/,
			),
		});
	});
});

describe('the Notification picker', () => {
	const getWorkflow = linearWorkflow([
		{
			name: 'Get',
			parameters: {
				resource: 'notification',
				operation: 'get',
				notificationId: { __rl: true, mode: 'list', value: '' },
			},
		},
	]);

	it('lists recent notifications newest first with their date and status, and filters them', async () => {
		const ids: string[] = [];
		for (const subject of ['Primul', 'Al doilea']) {
			const [sent] = await runNode(
				sendParameters([{ type: 'IDNP', value: '2000000000000' }], { subject }),
				fixture.credentials,
			);
			ids.push(sent.json.id as string);
			fixture.sandbox.advanceClock(1000);
		}
		const credentials = { mNotifyApi: fixture.credentials };
		const listed = await engine().listSearch(getWorkflow, 'Get', 'searchNotifications', {
			credentials,
		});
		const values = listed.results.map((result) => result.value);
		expect(values.indexOf(ids[1])).toBeLessThan(values.indexOf(ids[0]));
		const newest = listed.results.find((result) => result.value === ids[1]);
		expect(newest?.name).toMatch(
			new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC · \\w+ · ${ids[1]}$`),
		);

		const filtered = await engine().listSearch(getWorkflow, 'Get', 'searchNotifications', {
			credentials,
			filter: ids[0].slice(0, 8).toUpperCase(),
		});
		expect(filtered.results.map((result) => result.value)).toEqual([ids[0]]);
	});

	it('reads a notification picked from the list, by ID, or as a plain ID from older workflows', async () => {
		const [sent] = await runNode(
			sendParameters([{ type: 'IDNP', value: '2000000000000' }]),
			fixture.credentials,
		);
		const id = sent.json.id as string;
		for (const notificationId of [
			{ __rl: true, mode: 'list', value: id, cachedResultName: 'x' },
			{ __rl: true, mode: 'id', value: '={{ $json.id }}' },
			'={{ $json.id }}',
		] as IDataObject[]) {
			const [read] = await runNode(
				{ resource: 'notification', operation: 'get', notificationId },
				fixture.credentials,
				{ startItems: [{ json: { id } }] },
			);
			expect(read.json.id).toBe(id);
		}
	});
});
