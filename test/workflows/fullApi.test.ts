import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeExecutionData, IWorkflowBase } from 'n8n-workflow';

import { nodeOutput } from '../../dev/harness/engine';
import { useSandbox } from '../support/sandbox';
import { engine } from '../support/workflows';

const workflow = JSON.parse(
	readFileSync(path.join(__dirname, 'fixtures', 'full-api.workflow.json'), 'utf8'),
) as IWorkflowBase;

function invoice(text: string): INodeExecutionData['binary'] {
	return {
		invoice: {
			data: Buffer.from(text).toString('base64'),
			mimeType: 'application/pdf',
			fileName: 'factura.pdf',
			fileExtension: 'pdf',
		},
	};
}

describe("a multi-node workflow using the whole API, run by n8n's engine", () => {
	// Slow enough that "Send Fresh" is still pending when "Cancel Fresh" runs.
	const fixture = useSandbox({ statusStepMs: 400 });

	it('creates a template, sends with it and an attachment, waits, gets, lists all and cancels', async () => {
		const people = [
			{ json: { idnp: '2000000000011', amount: '120' }, binary: invoice('%PDF-1.4 factura 1') },
			{ json: { idnp: '2000000000022', amount: '340' }, binary: invoice('%PDF-1.4 factura 2') },
		];
		const run = await engine().run(workflow, {
			credentials: { mNotifyApi: fixture.credentials },
			startItems: people,
		});
		expect(run.data.resultData.error).toBeUndefined();

		const [template] = nodeOutput(run, 'Create Template');
		const sent = nodeOutput(run, 'Send With Template');
		expect(sent).toHaveLength(2);
		sent.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json).toMatchObject({
				status: 'Delivered',
				waitTimedOut: false,
				template: { id: template.json.id },
				attachments: [{ fileName: 'factura.pdf', sizeBytes: 18 }],
			});
			const stored = fixture.sandbox.notifications().find((record) => record.id === item.json.id);
			expect(stored?.request).toMatchObject({
				recipients: [{ type: 'IDNP', value: people[index].json.idnp }],
				template: {
					id: template.json.id,
					variables: JSON.stringify({ month: 'noiembrie', amount: people[index].json.amount }),
				},
				attachments: [{ fileName: 'factura.pdf', base64: people[index].binary!.invoice.data }],
			});
			expect(stored?.subject).toBe('Factura pe noiembrie');
		});

		expect(nodeOutput(run, 'Get').map((item) => item.json.status)).toEqual([
			'Delivered',
			'Delivered',
		]);
		expect(
			nodeOutput(run, 'List All')
				.map((item) => item.json.id)
				.sort(),
		).toEqual(sent.map((item) => item.json.id).sort());

		const [fresh] = nodeOutput(run, 'Send Fresh');
		const [cancelled] = nodeOutput(run, 'Cancel Fresh');
		expect(cancelled.json).toEqual({ id: fresh.json.id, cancelled: true });
		expect(
			fixture.sandbox.notifications().find((record) => record.id === fresh.json.id)?.status,
		).toBe('Cancelled');
		expect(fixture.sandbox.notifications()).toHaveLength(3);
	});
});
