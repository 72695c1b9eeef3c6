// Assertions for the workflows in examples/*.json, run by e2e/run.mjs inside a real n8n against
// the sandbox. Adding an example = adding examples/<name>.json (Manual Trigger first; credentials
// are re-pointed at the e2e's "MNotify sandbox" credential) + an entry here keyed by file name.
//
// An assertion gets {execution, workflow, workflowId, sandbox, n8n, ...} and returns a short detail:
//   execution.assertSuccess(), execution.items(nodeName) -> json of the node's output items,
//   execution.nodeError(nodeName); sandbox.sandbox.notifications() -> what MNotify received.
// A workflow with a Manual Trigger is run once before its assertion. One without is activated
// instead and gets execution = null: its assertion makes the trigger fire, then
//   const execution = await n8n.waitForNextExecution(workflowId);
// Files without an entry only have to run (manually) and finish with status "success".
import assert from 'node:assert/strict';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const exampleAssertions = {
	default({ execution, workflow }) {
		assert.ok(execution, `${workflow.name}: no Manual Trigger, so it needs an assertion in e2e/examples.mjs that fires its trigger`);
		execution.assertSuccess();
		const ran = Object.keys(execution.runData);
		const missing = workflow.nodes.map((n) => n.name).filter((n) => !ran.includes(n));
		assert.deepEqual(missing, [], `nodes that did not run: ${missing.join(', ')}`);
		return `execution ${execution.id}: ${ran.length} nodes ran`;
	},

	'send-notification.json'({ execution, sandbox }) {
		execution.assertSuccess();
		const [sent] = execution.items('Send Notification');
		assert.match(String(sent.id), UUID, `Send Notification output: ${JSON.stringify(sent)}`);

		const stored = sandbox.sandbox.notifications().find((n) => n.id === sent.id);
		assert.ok(stored, `the sandbox has no notification ${sent.id}`);
		assert.equal(stored.subject, 'Programare confirmată');
		assert.deepEqual(
			stored.recipients.map(({ type, value }) => ({ type, value })),
			[
				{ type: 'IDNP', value: '2000000000000' },
				{ type: 'Email', value: 'ion.popescu@example.md' },
			],
		);
		assert.equal(stored.request.subject?.ru, 'Запись подтверждена');

		const readBack = execution.items('Read Back Status');
		assert.ok(readBack.length > 0, 'Read Back Status output nothing');
		return `notification ${sent.id} (${stored.status}); read back ${readBack.length} item(s): ${JSON.stringify(readBack[0]).slice(0, 120)}`;
	},
};
