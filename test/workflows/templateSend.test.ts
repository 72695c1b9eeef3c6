/**
 * Sends with a template, against the sandbox in its strict form (every send must carry subject,
 * body and short body), through n8n's engine over mTLS: the template's own texts go along, read
 * once per execution; an item whose variables leave a placeholder unfilled is refused before
 * anything is sent.
 */
import type { IDataObject } from 'n8n-workflow';

import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';
import { startSandbox } from '../../dev/sandbox/server';
import { useSandbox } from '../support/sandbox';
import {
	items,
	runNode,
	runNodeExpectingError,
	runSteps,
	templateParameters,
} from '../support/workflows';

const requestLog: string[] = [];
const fixture = useSandbox({ statusStepMs: 50, log: (line) => requestLog.push(line) });

const reminder = {
	name: 'Payment reminder',
	description: 'A payment due, with amount and due date',
	subject: 'Plată scadentă la {{dueDate}}',
	body: '<p>Stimate {{RecipientFirstName}}, plata de {{amount}} lei este scadentă la {{dueDate}}.</p>',
	shortBody: 'Plata de {{amount}} lei: {{dueDate}}.',
	translations: {
		translation: [
			{ language: 'ru', subject: 'Платёж до {{dueDate}}', shortBody: '{{amount}} лей' },
		],
	},
};

async function createTemplate(overrides: IDataObject = {}): Promise<string> {
	const [created] = await runNode(
		templateParameters({ ...reminder, ...overrides }),
		fixture.credentials,
	);
	return created.json.id as string;
}

const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });

/** Send with a template, the variables mapped from each item's `amount` and `dueDate`. */
function templateSend(templateId: IDataObject, overrides: IDataObject = {}): IDataObject {
	return {
		resource: 'notification',
		operation: 'send',
		recipients: { recipient: [{ type: 'IDNP', value: '={{ $json.idnp }}' }] },
		contentSource: 'template',
		templateId,
		variables: {
			variable: [
				{ name: 'amount', value: '={{ $json.amount }}' },
				{ name: 'dueDate', value: '={{ $json.dueDate }}' },
			],
		},
		...overrides,
	};
}

const citizen = (index: number, extra: IDataObject = {}) => ({
	idnp: `200000000010${index}`,
	amount: String(100 + index),
	dueDate: `0${index + 1}.12.2026`,
	...extra,
});

const sends = () => fixture.sandbox.stats.notificationsAccepted;
const logged = (pattern: RegExp) => requestLog.filter((line) => pattern.test(line));

describe('Notification → Send with a template, strict sandbox', () => {
	it("sends the template's own texts in every language, placeholders as stored", async () => {
		const templateId = await createTemplate();
		const output = await runNode(templateSend(byId(templateId)), fixture.credentials, {
			startItems: items(2, (index) => citizen(index)),
		});
		expect(output).toHaveLength(2);
		for (const [index, item] of output.entries()) {
			const stored = fixture.sandbox.notifications().find((each) => each.id === item.json.id);
			expect(stored?.request).toMatchObject({
				subject: { ro: reminder.subject, ru: 'Платёж до {{dueDate}}' },
				body: { ro: reminder.body },
				bodyShort: { ro: reminder.shortBody, ru: '{{amount}} лей' },
				template: { id: templateId },
			});
			// What the citizen reads: the sandbox renders the texts with the item's variables.
			expect(stored?.content?.subject).toEqual({
				ro: `Plată scadentă la ${citizen(index).dueDate}`,
				ru: `Платёж до ${citizen(index).dueDate}`,
			});
			expect(stored?.content?.bodyShort.ro).toBe(
				`Plata de ${citizen(index).amount} lei: ${citizen(index).dueDate}.`,
			);
			expect(item.json.subject).toEqual({ ro: reminder.subject, ru: 'Платёж до {{dueDate}}' });
		}
	});

	it('reads each template once per execution, before the first send', async () => {
		const first = await createTemplate({ name: 'First' });
		const second = await createTemplate({ name: 'Second' });
		const from = requestLog.length;
		const output = await runNode(
			templateSend({ __rl: true, mode: 'id', value: '={{ $json.templateId }}' }),
			fixture.credentials,
			{
				startItems: items(6, (index) =>
					citizen(index, { templateId: index % 2 === 0 ? first : second }),
				),
			},
		);
		expect(output.map((item) => (item.json.template as IDataObject).id)).toEqual(
			[0, 1, 2, 3, 4, 5].map((index) => (index % 2 === 0 ? first : second)),
		);
		const calls = requestLog.slice(from);
		const isRead = (line: string) => line.startsWith('GET /api/template/');
		expect(calls.filter(isRead).map((line) => line.split(' ')[1])).toEqual(
			expect.arrayContaining([`/api/template/${first}`, `/api/template/${second}`]),
		);
		expect(calls.filter(isRead)).toHaveLength(2);
		// Both reads come before the first send.
		const firstSend = calls.findIndex((line) => line.startsWith('POST /api/notification'));
		expect(calls.slice(firstSend).some(isRead)).toBe(false);
		expect(calls.filter((line) => line.startsWith('POST /api/notification'))).toHaveLength(6);
	});

	it('refuses an item whose variables leave a placeholder unfilled, naming both, and sends nothing', async () => {
		const templateId = await createTemplate();
		const before = sends();
		const error = await runNodeExpectingError(templateSend(byId(templateId)), fixture.credentials, [
			{ json: citizen(0) },
			{ json: citizen(1) },
			{ json: citizen(2, { dueDate: undefined }) },
		]);
		expect(error.message).toBe(
			'The variables leave a placeholder of template "Payment reminder" unfilled: {{dueDate}} (empty) [item 2]',
		);
		expect(error.description).toMatch(/Placeholders of this template: dueDate, amount\./);
		expect(error.itemIndex).toBe(2);
		expect(sends()).toBe(before);
	});

	it('names a placeholder that has no variable at all', async () => {
		const templateId = await createTemplate();
		const error = await runNodeExpectingError(
			templateSend(byId(templateId), {
				variables: { variable: [{ name: 'amount', value: '10' }] },
			}),
			fixture.credentials,
			[{ json: citizen(0) }],
		);
		expect(error.message).toMatch(/unfilled: \{\{dueDate\}\} \(no variable\) \[item 0\]$/);
	});

	it('with Continue On Fail, fails only that item and sends the others', async () => {
		const templateId = await createTemplate();
		const before = sends();
		const output = await runNode(templateSend(byId(templateId)), fixture.credentials, {
			startItems: [
				{ json: citizen(0) },
				{ json: citizen(1, { amount: '  ' }) },
				{ json: citizen(2) },
			],
			onError: 'continueRegularOutput',
		});
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json.error).toMatch(/\{\{amount\}\} \(empty\) \[item 1\]/);
		expect(output[0].json.id).toBeDefined();
		expect(output[2].json.id).toBeDefined();
		expect(sends()).toBe(before + 2);
	});

	it('sends texts written for the template instead, checking their placeholders too', async () => {
		const templateId = await createTemplate();
		const ownTexts = {
			templateTexts: 'own',
			subject: 'Termen: {{dueDate}}',
			body: 'Suma: {{amount}} lei, {{office}}',
			shortBody: 'Suma: {{amount}} lei',
		};
		const refused = await runNodeExpectingError(
			templateSend(byId(templateId), ownTexts),
			fixture.credentials,
			[{ json: citizen(0) }],
		);
		expect(refused.message).toMatch(/\{\{office\}\} \(no variable\)/);

		const [sent] = await runNode(
			templateSend(byId(templateId), {
				...ownTexts,
				variables: {
					variable: [
						{ name: 'amount', value: '7' },
						{ name: 'dueDate', value: '01.01.2027' },
						{ name: 'office', value: 'ASP' },
					],
				},
			}),
			fixture.credentials,
			{ startItems: [{ json: citizen(0) }] },
		);
		const stored = fixture.sandbox.notifications().find((each) => each.id === sent.json.id);
		expect(stored?.request).toMatchObject({
			subject: { ro: 'Termen: {{dueDate}}' },
			body: { ro: 'Suma: {{amount}} lei, {{office}}' },
		});
		expect(stored?.content?.body.ro).toBe('Suma: 7 lei, ASP');
	});

	it('fails the items of a template that does not exist, reading it once, sending nothing', async () => {
		const missing = '0f0f0f0f-0000-4000-8000-000000000000';
		const from = requestLog.length;
		const before = sends();
		const output = await runNode(templateSend(byId(missing)), fixture.credentials, {
			startItems: items(3, (index) => citizen(index)),
			onError: 'continueRegularOutput',
		});
		expect(output.map((item) => item.json.error)).toEqual(
			[0, 1, 2].map((index) => `Nothing found to get template ${missing} (404) [item ${index}]`),
		);
		expect(output.map((item) => item.json.httpCode)).toEqual(['404', '404', '404']);
		expect(logged(new RegExp(`GET /api/template/${missing}`)).length).toBe(1);
		expect(requestLog.length - from).toBe(1);
		expect(sends()).toBe(before);
	});

	it('gives the citizen the same message under the other reading (the template wins)', async () => {
		const other = await startSandbox({ statusStepMs: 50, templateReading: 'template' });
		try {
			const otherCredentials = sandboxCredentials(other.url, other.issueClientCertificate());
			const contents = [];
			for (const [sandbox, credentials] of [
				[fixture.sandbox, fixture.credentials],
				[other, otherCredentials],
			] as const) {
				const [created] = await runNode(templateParameters(reminder), credentials);
				const [sent] = await runNode(templateSend(byId(created.json.id as string)), credentials, {
					startItems: [{ json: citizen(3) }],
				});
				contents.push(sandbox.notifications().find((each) => each.id === sent.json.id)?.content);
			}
			expect(contents[0]?.body.ro).toMatch(/^<p>Stimate \S+, plata de 103 lei/);
			expect(contents[1]).toEqual(contents[0]);
		} finally {
			await other.close();
		}
	});
});

describe('Template → Preview', () => {
	it('lists the placeholders the variables leave unfilled, with a hint', async () => {
		const templateId = await createTemplate();
		const run = await runSteps(
			[
				{
					name: 'MNotify',
					parameters: {
						resource: 'template',
						operation: 'preview',
						templateId: byId(templateId),
						variables: { variable: [{ name: 'amount', value: '12' }] },
					},
				},
			],
			fixture.credentials,
		);
		const task = run.data.resultData.runData.MNotify[0];
		const [preview] = task.data?.main[0] ?? [];
		expect(preview.json.missingPlaceholders).toEqual(['dueDate']);
		expect((preview.json.bodyShort as IDataObject).ro).toBe('Plata de 12 lei: {{dueDate}}.');
		expect(task.hints).toEqual([
			expect.objectContaining({
				message:
					'Sending template "Payment reminder" with these variables would be refused: {{dueDate}} (no variable)',
			}),
		]);

		const [complete] = await runNode(
			{
				resource: 'template',
				operation: 'preview',
				templateId: byId(templateId),
				variablesMode: 'json',
				variablesJson: '{"amount": 12, "dueDate": "01.02.2027"}',
			},
			fixture.credentials,
		);
		expect(complete.json.missingPlaceholders).toEqual([]);
	});
});
