// Send safety in a real n8n: n8n's Stop stops the sends and the ids that went out are findable
// (the execution's custom data, n8n's log); the error output keeps the input item's fields.
// Both use a client certificate of their own, so the examples' counts are not disturbed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const NODE_TYPE = 'n8n-nodes-mnotify.mNotify';
const CREDENTIAL_TYPE = 'mNotifyApi';
const SEND_PATH = '/api/notification';

/** The saved credential of these cases (once per run), with a certificate of its own. */
async function safetyCredential(ctx) {
	if (!ctx.state.safety) {
		const client = ctx.sandbox.sandbox.issueClientCertificate({ senderName: 'n8n e2e safety' });
		const byType = await ctx.n8n.importCredentialExport({
			name: 'MNotify sandbox (safety)',
			type: CREDENTIAL_TYPE,
			data: ctx.sandbox.credentialData(client),
		});
		ctx.state.safety = { client, credential: byType[CREDENTIAL_TYPE] };
	}
	return ctx.state.safety;
}

/**
 * Manual Trigger → Set (a list) → Split Out (one item per entry) → MNotify Send, whose subject
 * and recipient come from the item.
 */
function sendWorkflow(name, entries, credential, mnotify = {}) {
	const node = (id, nodeName, type, typeVersion, parameters, x) => ({
		id,
		name: nodeName,
		type,
		typeVersion,
		position: [x, 0],
		parameters,
	});
	return {
		name,
		nodes: [
			node('s1', 'Start', 'n8n-nodes-base.manualTrigger', 1, {}, 0),
			node(
				's2',
				'List',
				'n8n-nodes-base.set',
				3.4,
				{
					assignments: {
						assignments: [
							{ id: 'a1', name: 'list', value: JSON.stringify(entries), type: 'array' },
						],
					},
					options: {},
				},
				200,
			),
			node(
				's3',
				'One Item Each',
				'n8n-nodes-base.splitOut',
				1,
				{ fieldToSplitOut: 'list', options: {} },
				400,
			),
			{
				...node(
					's4',
					'MNotify',
					NODE_TYPE,
					1,
					{
						resource: 'notification',
						operation: 'send',
						recipients: { recipient: [{ type: 'IDNP', value: '={{ $json.idnp }}' }] },
						contentSource: 'text',
						subject: '={{ $json.subject }}',
						body: '<p>Aviz de test</p>',
						shortBody: 'Aviz de test',
						priority: 'Low',
						options: { concurrency: 1 },
						...mnotify.parameters,
					},
					600,
				),
				credentials: { [CREDENTIAL_TYPE]: credential },
				...(mnotify.onError ? { onError: mnotify.onError } : {}),
			},
		],
		connections: {
			Start: { main: [[{ node: 'List', type: 'main', index: 0 }]] },
			List: { main: [[{ node: 'One Item Each', type: 'main', index: 0 }]] },
			'One Item Each': { main: [[{ node: 'MNotify', type: 'main', index: 0 }]] },
		},
	};
}

/** Starts a saved workflow as the editor's "Execute workflow" does; returns the execution id. */
async function startManually(n8n, workflowId) {
	const wf = await n8n.api('GET', `/workflows/${workflowId}`);
	const result = await n8n.rest('POST', `/workflows/${workflowId}/run`, {
		workflowData: wf,
		triggerToStartFrom: { name: 'Start' },
	});
	assert.ok(result?.executionId, `run did not start an execution: ${JSON.stringify(result)}`);
	return result.executionId;
}

/** The execution's custom data as n8n shows it (REST, as the editor reads it; or its run data). */
async function customDataOf(n8n, executionId) {
	const viaRest = await n8n.rest('GET', `/executions/${executionId}`);
	if (viaRest?.customData && Object.keys(viaRest.customData).length > 0) return viaRest.customData;
	const viaApi = await n8n.api('GET', `/executions/${executionId}?includeData=true`);
	return viaApi?.data?.resultData?.metadata ?? viaApi?.customData ?? {};
}

/** @type {import('../run.mjs').Case[]} */
export const safetyCases = [
	{
		name: 'safety: Stop stops the sends; the ids sent are in the custom data and the log',
		async run(ctx) {
			const { n8n, sandbox } = ctx;
			const { credential, client } = await safetyCredential(ctx);
			const run = `stop-${Date.now()}`;
			const entries = Array.from({ length: 30 }, (_, i) => ({
				subject: `${run}-${i}`,
				idnp: '2000000000000',
			}));
			const mine = () =>
				sandbox.sandbox.notifications().filter((n) => n.subject.startsWith(`${run}-`));
			// Each send takes 400 ms in MNotify, so Stop comes part-way through the 30.
			sandbox.sandbox.injectFault(
				{ kind: 'delay', ms: 400 },
				{ method: 'POST', path: SEND_PATH, times: 30 },
			);
			try {
				const workflowId = await n8n.createWorkflow(
					sendWorkflow('e2e: stop a send', entries, credential),
				);
				const executionId = await startManually(n8n, workflowId);
				const deadline = Date.now() + 30_000;
				while (mine().length < 3 && Date.now() < deadline) await sleep(50);
				assert.ok(mine().length >= 3, `only ${mine().length} sent before the stop`);
				const stopAnswer = await n8n.rest('POST', `/executions/${executionId}/stop`);
				const atStop = mine().length;

				const execution = await n8n.waitForExecution(executionId, { timeoutMs: 30_000 });
				// Anything still under way at the stop has finished after 2 s.
				await sleep(2_000);
				const sent = mine();
				assert.equal(execution.status, 'canceled', `status ${execution.status}`);
				assert.ok(
					sent.length <= atStop + 1,
					`${sent.length} sent in all, ${atStop} at the stop: sends went on after Stop`,
				);

				const customData = await customDataOf(n8n, executionId);
				const log = readFileSync(n8n.logFile, 'utf8');
				const logLines = log.split('\n').filter((line) => line.includes('MNotify node "MNotify"'));
				const recorded = `${JSON.stringify(customData)}\n${logLines.join('\n')}`;
				const missing = sent.filter((n) => !recorded.includes(n.id)).map((n) => n.id);
				assert.deepEqual(missing, [], `ids sent but recorded nowhere: ${missing.join(', ')}`);
				assert.match(
					String(customData.mnotify_stopped),
					/stopped; \d+ sent/,
					JSON.stringify(customData),
				);
				const inCustomData = sent.filter((n) => JSON.stringify(customData).includes(n.id)).length;
				void client;
				return `stop answered ${JSON.stringify(stopAnswer)?.slice(0, 60)}; ${atStop} sent at the stop, ${sent.length} in all (of 30); custom data names ${inCustomData}: ${JSON.stringify(customData).slice(0, 160)}…; log: ${logLines.length} line(s)`;
			} finally {
				sandbox.sandbox.clearFaults();
			}
		},
	},
	{
		name: "safety: the error output keeps the input's fields, the error, its explanation and the HTTP code",
		async run(ctx) {
			const { n8n, sandbox } = ctx;
			const { credential } = await safetyCredential(ctx);
			const run = `erroroutput-${Date.now()}`;
			const entries = [
				{ person: 'Ion Popescu', idnp: '2000000000000', subject: `${run}-0` },
				{ person: 'Maria Rusu', idnp: '200000000000', subject: `${run}-1` },
				{ person: 'Vasile Lungu', idnp: '2000000000001', subject: `${run}-2` },
			];
			sandbox.sandbox.injectFault(
				{ kind: 'status', status: 503 },
				{ method: 'POST', path: SEND_PATH },
			);
			try {
				const workflowId = await n8n.createWorkflow(
					sendWorkflow('e2e: error output', entries, credential, {
						onError: 'continueErrorOutput',
					}),
				);
				const execution = await n8n.runManually(workflowId);
				execution.assertSuccess();
				const ok = execution.items('MNotify', 0);
				const failed = execution.items('MNotify', 1);
				assert.deepEqual(
					ok.map((item) => item.subject?.ro),
					[`${run}-2`],
					`success output: ${JSON.stringify(ok)}`,
				);
				assert.equal(failed.length, 2, `error output: ${JSON.stringify(failed)}`);
				const [serverError, badInput] = failed;
				assert.deepEqual(
					{ person: serverError.person, idnp: serverError.idnp },
					{ person: 'Ion Popescu', idnp: '2000000000000' },
					`the 503 item lost its input: ${JSON.stringify(serverError)}`,
				);
				assert.equal(serverError.error, 'MNotify had a server error (503) [item 0]');
				assert.match(
					String(serverError.message),
					/may or may not have been accepted[\s\S]*HTTP status 503/,
				);
				assert.equal(
					badInput.person,
					'Maria Rusu',
					`the invalid item lost its input: ${JSON.stringify(badInput)}`,
				);
				assert.match(String(badInput.error), /not a valid IDNP.*\[item 1\]/);
				assert.match(String(badInput.message), /13 digits/);
				return `error items: ${JSON.stringify(failed).slice(0, 300)}…`;
			} finally {
				sandbox.sandbox.clearFaults();
			}
		},
	},
];
