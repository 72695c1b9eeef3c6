// One batch fired twice at the same instant on n8n's processed-data store (`npm run e2e:queue`):
// the two executions land on either worker; one run sends, the other is refused by the live-run
// lease before it sends anything, and nobody is notified twice.
import { batchPath, createBatchWorkflows } from './batchWorkflows.mjs';

const TWICE_BATCH = 9999;
const LEASE_REFUSAL = 'Another run of';

export async function sameBatchTwiceCase(context) {
	const { n8n, services, sandbox, credential, check, section, fireBatch, ledgerCounts } = context;
	const recipients = 300;
	section(`same batch fired twice at once, n8n's store: ${recipients} recipients`);
	const ids = await createBatchWorkflows(n8n.main, credential, [TWICE_BATCH]);
	const workflowId = ids.get(TWICE_BATCH);
	const people = Array.from({ length: recipients }, (_, i) => ({
		idnp: String(2_007_000_000_000 + i),
	}));
	const body = { batch: TWICE_BATCH, people };
	const results = await Promise.all(
		[0, 1].map(() => fireBatch(n8n.main, body, { path: batchPath(TWICE_BATCH) })),
	);
	const sent = results.filter((r) => r.items?.every((json) => typeof json.id === 'string'));
	const failed = results.filter((r) => r.error);
	const refusals = Number(
		services.postgres.query(
			`SELECT count(*) FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e."workflowId" = '${workflowId}' AND d.data LIKE '%${LEASE_REFUSAL}%'`,
		),
	);
	const counts = ledgerCounts(sandbox);
	const twice = people.filter(({ idnp }) => (counts.get(idnp) ?? 0) > 1).length;
	const once = people.filter(({ idnp }) => counts.get(idnp) === 1).length;
	console.log(
		`same batch twice: ${sent.length} run(s) sent to everybody, ${failed.length} failed (${failed[0]?.error ?? '-'}); lease refusals in n8n's executions: ${refusals}; recipients notified once ${once}, more than once ${twice}`,
	);
	check(
		"same batch fired twice at once on n8n's store: one run sends, the other is refused by the lease, nobody notified twice",
		sent.length === 1 && failed.length === 1 && refusals === 1 && once === recipients,
		`${sent.length} sent, ${refusals} refused, ${once} of ${recipients} notified once, ${twice} twice`,
	);
}
