// One copy of the queue workflow per batch, for phases 1-3 of `npm run e2e:queue`.
//
// n8n's processed-data store takes one live Send run per dedupe scope: a second execution of the
// same workflow while one is sending is refused. So the campaign's parallel executions each get a
// workflow of their own (same JSON, webhook path `bulk-send-<batch>`, their own node ids and
// dedupe row), and every later call for a batch goes to its workflow.
import { setTimeout as sleep } from 'node:timers/promises';

import { bindCredentials, readWorkflow } from '../../real-n8n/n8n.mjs';

/** The queue workflow (Webhook → Split Out → Send), as the file has it. */
export const readQueueWorkflow = () =>
	readWorkflow(new URL('./bulk-send.workflow.json', import.meta.url));

export const batchPath = (batch) => `bulk-send-${batch}`;

/** The queue workflow as batch `batch`'s: own name, webhook path, webhook id and node ids. */
function batchWorkflow(batch, credential) {
	const workflow = readQueueWorkflow();
	const tag = String(batch).padStart(4, '0').slice(-4);
	workflow.name = `${workflow.name}, batch ${batch}`;
	for (const node of workflow.nodes) {
		node.id = node.id.replace(/0b1c5e2a-7d5e/, `0b1c5e2a-${tag}`);
		if (node.type === 'n8n-nodes-base.webhook') {
			node.parameters.path = batchPath(batch);
			node.webhookId = node.webhookId.replace(/0b1c5e2a-7d5e/, `0b1c5e2a-${tag}`);
		}
	}
	return bindCredentials(workflow, credential);
}

/** Waits until n8n serves the webhook (activation returns before it is registered). */
export async function waitForWebhook(main, webhookPath) {
	for (let i = 0; ; i++) {
		const probe = await fetch(`${main.baseUrl}/webhook/${webhookPath}`);
		if (/POST request/.test(await probe.text())) return;
		if (i > 120) throw new Error(`the webhook ${webhookPath} was not registered within 30 s`);
		await sleep(250);
	}
}

/** Creates and activates the workflow of each batch; returns batch -> workflow id. */
export async function createBatchWorkflows(main, credential, batchNumbers) {
	const ids = new Map();
	for (const batch of batchNumbers) {
		const id = await main.createWorkflow(batchWorkflow(batch, credential));
		await main.activateWorkflow(id);
		ids.set(batch, id);
	}
	for (const batch of batchNumbers) await waitForWebhook(main, batchPath(batch));
	return ids;
}
