// How dev/e2e/run.mjs runs and checks each workflow in examples/*.json, inside a real n8n, against the
// sandbox. Adding an example = adding examples/<name>.json + an entry here keyed by file name.
// Credentials are re-pointed at the e2e's "MNotify sandbox" credential whatever id they carry.
//
// An entry is either an assertion function, or {prepare?, trigger?, assert}:
//   prepare(workflow, ctx)  adapts a copy of the file to the run (fixture URLs, the template created
//                           here, faster poll times) and returns it. Only what a user would change
//                           for their own setup is changed, and each change is commented.
//   trigger                 name of a trigger node to start a manual run from (like "Execute
//                           workflow" in the editor: a Schedule Trigger then fires once, now).
//   assert(args)            returns a short detail; throws on failure.
// Manual runs: a workflow with a Manual Trigger (or an entry with `trigger`) is run once and the
// assertion gets its `execution`. Otherwise it is activated (and deactivated afterwards) and the
// assertion gets execution = null: it makes the trigger fire and waits, e.g. with
// n8n.waitForNextExecution(workflowId) or n8n.callWebhook(path).
// args: {execution, workflow, workflowId, n8n, sandbox, target, state}. execution.assertSuccess(),
// execution.items(nodeName[, output]) -> json of the node's output items, execution.nodeError(name);
// sandbox.sandbox.notifications() -> what MNotify received; sandbox.api(method, path, body) calls it
// directly over mTLS with the examples' certificate.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { citizens, companies, isoDate, startFixtureServer } from './fixtures.mjs';
import { bindCredentials } from '../real-n8n/n8n.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FINAL = ['Delivered', 'Read', 'Failed', 'Cancelled'];

// ---- helpers -------------------------------------------------------------------------------

/** The fixture server (CSV of citizens, open-data JSON), started once per run on 127.0.0.1. */
async function fixtures(state) {
	state.fixtures ??= await startFixtureServer();
	return state.fixtures;
}

function node(workflow, name) {
	const found = workflow.nodes.find((n) => n.name === name);
	assert.ok(found, `the example has no node "${name}"`);
	return found;
}

/** What the sandbox stored for these notification ids (fails if one is missing). */
function stored(sandbox, ids) {
	const all = sandbox.sandbox.notifications();
	return ids.map((id) => {
		const n = all.find((s) => s.id === id);
		assert.ok(n, `the sandbox has no notification ${id}`);
		return n;
	});
}

/** Waits until every notification the examples' certificate sent is in a final status. */
async function allFinal(sandbox, timeoutMs = 15_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const mine = sandbox.sandbox
			.notifications()
			.filter((n) => n.senderId === sandbox.goodClient.senderId);
		if (mine.every((n) => FINAL.includes(n.status))) return mine;
		assert.ok(Date.now() < deadline, 'sandbox notifications not final in time');
		await sleep(100);
	}
}

const countBy = (list, key) =>
	list.reduce((acc, x) => ({ ...acc, [x[key]]: (acc[x[key]] ?? 0) + 1 }), {});
const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Creates the "Payment reminder" template the scheduled example uses, the way a user would: with
 * our node (Template → Create) in a small workflow run in this n8n. Returns its id.
 */
export async function createReminderTemplate({ n8n, state }) {
	const wf = bindCredentials(
		{
			name: 'e2e setup: create the Payment reminder template',
			nodes: [
				{
					parameters: {},
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
				},
				{
					parameters: {
						resource: 'template',
						operation: 'create',
						name: 'Payment reminder',
						description: 'Reminder of a payment due, with amount, due date and service',
						subject: 'Plată scadentă la {{dueDate}}',
						body: '<p>Stimate(ă) {{RecipientFirstName}} {{RecipientLastName}}, vă reamintim că plata de {{amount}} lei pentru {{service}} este scadentă la {{dueDate}}.</p>',
						shortBody: 'Plata de {{amount}} lei pentru {{service}} este scadenta la {{dueDate}}.',
					},
					name: 'Create Template',
					type: 'n8n-nodes-mnotify.mNotify',
					typeVersion: 1,
					position: [220, 0],
					credentials: { mNotifyApi: { id: 'x', name: 'x' } },
				},
			],
			connections: {
				Start: { main: [[{ node: 'Create Template', type: 'main', index: 0 }]] },
			},
		},
		state.exampleCredential,
	);
	const id = await n8n.createWorkflow(wf);
	const execution = (await n8n.runManually(id)).assertSuccess();
	const [template] = execution.items('Create Template');
	assert.match(String(template.id), UUID, `Template → Create output: ${JSON.stringify(template)}`);
	return template.id;
}

// ---- the examples --------------------------------------------------------------------------

export const exampleAssertions = {
	default({ execution, workflow }) {
		assert.ok(
			execution,
			`${workflow.name}: no Manual Trigger, so it needs an entry in dev/e2e/examples.mjs that fires its trigger`,
		);
		execution.assertSuccess();
		const ran = Object.keys(execution.runData);
		const missing = workflow.nodes
			.filter((n) => n.type !== 'n8n-nodes-base.stickyNote')
			.map((n) => n.name)
			.filter((n) => !ran.includes(n));
		assert.deepEqual(missing, [], `nodes that did not run: ${missing.join(', ')}`);
		return `execution ${execution.id}: ${ran.length} nodes ran`;
	},

	'send-notification.json'({ execution, sandbox }) {
		execution.assertSuccess();
		const [sent] = execution.items('Send Notification');
		assert.match(String(sent.id), UUID, `Send Notification output: ${JSON.stringify(sent)}`);

		const [n] = stored(sandbox, [sent.id]);
		assert.equal(n.subject, 'Programare confirmată');
		assert.deepEqual(
			n.recipients.map(({ type, value }) => ({ type, value })),
			[
				{ type: 'IDNP', value: '2000000000000' },
				{ type: 'Email', value: 'ion.popescu@example.md' },
			],
		);
		assert.equal(n.request.subject?.ru, 'Запись подтверждена');
		assert.equal(sent.status, 'Delivered', 'waited for delivery');

		const readBack = execution.items('Read Back Status');
		// IDNP: MCabinet + Email; e-mail address: Email.
		assert.equal(readBack.length, 3, `Read Back Status: ${JSON.stringify(readBack)}`);
		assert.ok(
			readBack.every((m) => m.notificationId === sent.id && m.messageStatus === 'Delivered'),
		);
		return `notification ${sent.id} ${sent.status}; read back ${readBack.map((m) => `${m.recipientType}/${m.channel}`).join(', ')}`;
	},

	// 1. Schedule Trigger → CSV over HTTP → Extract From File → Filter (due in 3 days) → Send with a
	//    template, waiting for delivery → Summarize → Set.
	'scheduled-reminder.json': {
		trigger: 'Every Morning at 8',
		async prepare(workflow, ctx) {
			ctx.state.reminderTemplateId = await createReminderTemplate(ctx);
			// The CSV's URL: the fixture server instead of the placeholder.
			node(workflow, 'Download Citizens CSV').parameters.url =
				`${(await fixtures(ctx.state)).url}/citizens.csv`;
			// The template: the one just created, as the list picker stores it.
			Object.assign(node(workflow, 'Send Reminder').parameters.templateId, {
				value: ctx.state.reminderTemplateId,
				cachedResultName: 'Payment reminder',
			});
			return workflow;
		},
		async assert({ execution, sandbox, state }) {
			execution.assertSuccess();
			assert.equal(
				execution.items('Read CSV').length,
				citizens().length,
				'Read CSV: one item per row',
			);
			const due = citizens().filter((c) => c.dueDate === isoDate(3));
			assert.deepEqual(
				execution.items('Due in 3 Days').map((c) => c.idnp),
				due.map((c) => c.idnp),
				'Due in 3 Days keeps exactly the citizens due in 3 days',
			);

			const sent = execution.items('Send Reminder');
			assert.equal(sent.length, due.length);
			for (const [i, s] of sent.entries()) {
				assert.match(String(s.id), UUID, `Send Reminder item ${i}: ${JSON.stringify(s)}`);
				assert.equal(s.waitTimedOut, false, `item ${i} waited to the end`);
				// Node version 1.1: Skip Already Notified on by default, the texts as rendered.
				assert.match(String(s.dedupeKey), /^sha256:/, `item ${i} has a dedupe key`);
				assert.match(String(s.rendered?.subject?.ro), /\d{2}\.\d{2}\.\d{4}/, `item ${i} rendered`);
			}
			const notifications = stored(
				sandbox,
				sent.map((s) => s.id),
			);
			for (const [i, n] of notifications.entries()) {
				const c = due[i];
				assert.equal(n.templateId, state.reminderTemplateId, 'sent with the template');
				assert.deepEqual(n.recipients, [{ type: 'IDNP', value: c.idnp }]);
				const dueDate = c.dueDate.split('-').reverse().join('.');
				assert.equal(n.subject, `Plată scadentă la ${dueDate}`, 'template subject rendered');
				// The strict contract: the template's own texts travel with it, placeholders as stored.
				assert.deepEqual(
					[n.request.subject?.ro, n.request.bodyShort?.ro],
					[
						'Plată scadentă la {{dueDate}}',
						'Plata de {{amount}} lei pentru {{service}} este scadenta la {{dueDate}}.',
					],
					'sent with the template texts',
				);
				assert.deepEqual(JSON.parse(n.request.template.variables), {
					amount: c.amount,
					dueDate,
					service: c.service,
				});
			}
			// The sandbox fails 2000000000999 on purpose: the output and the sandbox must agree.
			const expected = { Delivered: 2, Failed: 1 };
			assert.deepEqual(sorted(countBy(sent, 'status')), expected, 'statuses in the output');
			assert.deepEqual(
				sorted(countBy(notifications, 'status')),
				expected,
				'statuses in the sandbox',
			);
			assert.equal(
				sent.find((s) => s.status === 'Failed')?.recipients?.[0]?.value,
				'2000000000999',
			);

			const [summary] = execution.items('Summary');
			assert.equal(summary.sent, 3);
			assert.deepEqual(
				summary.summary.split(', ').sort(),
				['Delivered: 2', 'Failed: 1'],
				`Summary: ${JSON.stringify(summary)}`,
			);
			return `template ${state.reminderTemplateId}; ${citizens().length} rows -> ${due.length} due -> ${summary.summary}`;
		},
	},

	// 2. Open data (companies, JSON) → Filter active → Set → Send to IDNO, resolved to IDNP/Administrator.
	'companies-open-data.json': {
		async prepare(workflow, ctx) {
			node(workflow, 'Get Companies (Open Data)').parameters.url =
				`${(await fixtures(ctx.state)).url}/companies.json`;
			return workflow;
		},
		assert({ execution, sandbox }) {
			execution.assertSuccess();
			const active = companies().filter((c) => c.Statutul === 'Activă');
			const sent = execution.items('Notify Administrators');
			assert.equal(sent.length, active.length, 'one notification per active company');
			const notifications = stored(
				sandbox,
				sent.map((s) => s.id),
			);
			for (const [i, n] of notifications.entries()) {
				const company = active[i];
				assert.deepEqual(n.recipients, [{ type: 'IDNO', value: company.IDNO }]);
				const policy = { type: 'IDNP', parameters: { direction: 'Administrator' } };
				assert.deepEqual(
					n.request.resolutionPolicy,
					policy,
					'resolution policy as MNotify wants it',
				);
				assert.deepEqual(sent[i].resolutionPolicy, policy, 'resolution policy in the output');
				assert.equal(n.subject, 'Actualizați datele întreprinderii');
				assert.ok(
					n.request.body.ro.includes(company.Denumirea) && n.request.body.ro.includes(company.IDNO),
					`body names the company: ${n.request.body.ro}`,
				);
			}
			const inactive = companies().filter((c) => c.Statutul !== 'Activă');
			const all = sandbox.sandbox.notifications();
			for (const c of inactive) {
				assert.ok(
					!all.some((n) => n.recipients.some((r) => r.value === c.IDNO)),
					`${c.Denumirea} (${c.Statutul}) must not be notified`,
				);
			}
			return `${companies().length} companies -> ${sent.length} notices to IDNO ${active.map((c) => c.IDNO).join(', ')} (resolved to IDNP/Administrator)`;
		},
	},

	// 4. Webhook → IF → Send → Respond (200 / 400 / 422 from the node's error output).
	'webhook-notice.json': {
		async assert({ n8n, sandbox }) {
			const before = sandbox.sandbox.notifications().length;
			const good = await n8n.callWebhook('mnotify-notice', {
				body: {
					idnp: '2000000000001',
					subject: 'Cererea a fost aprobată',
					message: '<p>Cererea nr. 123 a fost aprobată.</p>',
				},
			});
			assert.equal(good.status, 200, `good body: HTTP ${good.status} ${good.body}`);
			assert.match(String(good.json?.notificationId), UUID, `good body: ${good.body}`);
			assert.equal(good.json.status, 'Pending');
			const [n] = stored(sandbox, [good.json.notificationId]);
			assert.equal(n.subject, 'Cererea a fost aprobată');
			assert.deepEqual(n.recipients, [{ type: 'IDNP', value: '2000000000001' }]);

			const bad = await n8n.callWebhook('mnotify-notice', {
				body: { subject: 'Fără destinatar', message: 'x' },
			});
			assert.equal(bad.status, 400, `bad body: HTTP ${bad.status} ${bad.body}`);
			assert.match(bad.json?.error ?? '', /idnp/);
			assert.deepEqual(bad.json.received, ['subject', 'message']);

			// Passes the IF, but the node's own validation refuses it (subject over 41 characters):
			// the error output answers 422 with the node's message, and nothing is sent.
			const rejected = await n8n.callWebhook('mnotify-notice', {
				body: {
					idnp: '2000000000002',
					subject: 'Un subiect mult prea lung pentru MNotify, peste 41 de caractere',
					message: 'x',
				},
			});
			assert.equal(
				rejected.status,
				422,
				`rejected body: HTTP ${rejected.status} ${rejected.body}` +
					(rejected.status === 200
						? " — the node's error item went to the success output: n8n routes an item to the error output only when the item has `error` set (or its json has just error/message/details); nodes/MNotify/actions/router.ts must push {json, error: outcome.error, pairedItem}"
						: ''),
			);
			assert.match(String(rejected.json?.reason), /41/, `reason: ${rejected.body}`);

			const after = sandbox.sandbox.notifications().length;
			assert.equal(after - before, 1, 'only the good call sent a notification');
			return `200 ${good.json.notificationId}; 400 ${bad.body}; 422 "${rejected.json.reason}"`;
		},
	},

	// 5. MNotify Trigger (polling) → Set.
	'delivery-trigger.json': {
		prepare(workflow) {
			// n8n allows at most one poll a minute per poll time, but several poll times: one every
			// 3 seconds (each a fixed second of the minute, which n8n 1.x and 2.x accept) instead of
			// the example's "every minute", so the e2e does not wait minutes.
			node(workflow, 'MNotify Trigger').parameters.pollTimes = {
				item: Array.from({ length: 20 }, (_, i) => ({
					mode: 'custom',
					cronExpression: `${i * 3} * * * * *`,
				})),
			};
			return workflow;
		},
		async beforeActivate({ sandbox, state }) {
			// In progress when the trigger starts watching: with "only notifications created after
			// activation" it must never be emitted, though it is delivered afterwards.
			state.triggerOld = await sendDirect(
				sandbox,
				{ type: 'IDNP', value: '2000000000000' },
				'Înainte',
			);
			state.logMark = sandbox.requestLog.length;
		},
		async assert({ n8n, sandbox, workflowId, state }) {
			// Activation returns before n8n 2.x has started the trigger: wait for its first poll (the
			// one that sets the starting point), so the notifications below are "after activation".
			await sandbox.waitForRequest(/GET \/api\/notification\?.*lastUpdatedAt/, {
				from: state.logMark,
			});
			// Two batches: the second is sent after the first was emitted, so the trigger must also
			// remember across polls and executions where it stopped.
			const recipients = [
				{ type: 'IDNP', value: '2000000000001' },
				{ type: 'Email', value: 'fail@example.md' }, // the sandbox fails it on purpose
				{ type: 'Telephone', value: '+37369123456' },
				{ type: 'IDNP', value: '2000000000002' }, // second batch
			];
			const ids = [];
			const seen = [];
			const executions = [];
			const collect = async () => {
				for (const e of (await n8n.executions(workflowId)).reverse()) {
					if (executions.some((x) => x.id === e.id) || !e.stoppedAt) continue;
					const ex = (await n8n.waitForExecution(e.id)).assertSuccess();
					const items = ex.items('Describe Change');
					executions.push({ id: e.id, items: items.length });
					seen.push(...items);
				}
			};
			const waitForItems = async (count) => {
				const deadline = Date.now() + 30_000;
				while (seen.length < count && Date.now() < deadline) {
					await sleep(500);
					await collect();
				}
			};
			for (const r of recipients.slice(0, 3))
				ids.push(await sendDirect(sandbox, r, 'După activare'));
			await waitForItems(3);
			ids.push(await sendDirect(sandbox, recipients[3], 'Al doilea lot'));
			await waitForItems(4);
			// Three more poll periods: nothing may come twice.
			await sleep(9_500);
			await collect();

			const expected = Object.fromEntries(
				ids.map((id, i) => [id, i === 1 ? 'Failed' : 'Delivered']),
			);
			const got = seen.map((s) => `${s.id}:${s.status}`).sort();
			const want = Object.entries(expected)
				.map(([id, status]) => `${id}:${status}`)
				.sort();
			assert.deepEqual(got, want, 'each notification exactly once, in its final status');
			assert.ok(
				!seen.some((s) => s.id === state.triggerOld),
				'the pre-activation notification is not emitted',
			);
			assert.ok(executions.length >= 2, 'the second batch came in a later execution');
			assert.equal(seen.at(-1).id, ids[3], 'the second batch came last');
			for (const s of seen) {
				const r = recipients[ids.indexOf(s.id)];
				assert.deepEqual(
					s.recipients?.map(({ type, value }) => ({ type, value })),
					[r],
					'Include Recipients and Messages',
				);
				assert.equal(s.failed, s.status === 'Failed');
				assert.match(s.summary, new RegExp(`^Notification ${s.id} is ${s.status} \\(`));
			}
			return `executions with ${executions.map((e) => e.items).join(' + ')} item(s): ${seen.map((s) => `${s.recipients[0].type}=${s.status}`).join(', ')}; none for the pre-activation one, no duplicates`;
		},
	},

	// 3. Get Many (Return All) — last, so it has several pages of what the others sent — → Summarize by status → report text → HTML.
	'delivery-report.json': {
		async prepare(workflow, ctx) {
			// Everything sent so far is final first, so the counts are stable.
			await allFinal(ctx.sandbox);
			// Small pages, so Return All has to walk several of them (the example asks for 100 per page).
			node(workflow, 'All Notifications').parameters.options.itemsPerPage = 3;
			return workflow;
		},
		async assert({ execution, sandbox }) {
			execution.assertSuccess();
			const mine = await allFinal(sandbox);
			assert.ok(mine.length > 3, `needs several pages: only ${mine.length} notifications`);
			const listed = execution.items('All Notifications');
			assert.deepEqual(
				listed.map((n) => n.id).sort(),
				mine.map((n) => n.id).sort(),
				'Return All lists every notification of this certificate, once',
			);
			const expected = sorted(countBy(mine, 'status'));
			const [report] = execution.items('Report');
			assert.equal(report.total, mine.length);
			assert.deepEqual(sorted(report.byStatus), expected);
			for (const [status, count] of Object.entries(expected))
				assert.ok(report.report.includes(`- ${status}: ${count}`), `report: ${report.report}`);
			const [html] = execution.items('Report as HTML');
			assert.match(html.html, /<h1[^>]*>MNotify delivery report/);
			assert.match(html.html, /<li>Delivered: \d+<\/li>/);
			return `${mine.length} notifications over ${Math.ceil(mine.length / 3)} pages: ${JSON.stringify(expected)}`;
		},
	},
};

/** Sends a notification straight to the sandbox (not through n8n) with the examples' certificate. */
async function sendDirect(sandbox, recipient, subject) {
	const res = await sandbox.api('POST', '/api/notification', {
		priority: 'Low',
		recipients: [recipient],
		subject: { ro: subject },
		body: { ro: `<p>${subject}</p>` },
		bodyShort: { ro: subject },
	});
	assert.equal(res.status, 200, `direct send: HTTP ${res.status} ${JSON.stringify(res.json)}`);
	const id = String(res.json).replace(/"/g, '');
	assert.match(id, UUID);
	return id;
}
