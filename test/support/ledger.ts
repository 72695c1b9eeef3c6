import type { IDataObject, INode, IWorkflowBase } from 'n8n-workflow';

import { items, linearWorkflow, sendParameters } from './workflows';

/** The saved Postgres credential the ledger workflows name (the run gets its data by type). */
const LEDGER_CREDENTIAL = { postgres: { id: 'ledger-db', name: 'Ledger DB' } };

/**
 * Manual Trigger → MNotify Send to `$json.idnp`, Skip Already Notified on with the IDNP as the
 * key, on the PostgreSQL ledger (node "MNotify", id step-0).
 */
export function ledgerWorkflow(
	workflowId: string,
	options: IDataObject,
	onError?: INode['onError'],
): IWorkflowBase {
	const parameters = {
		...sendParameters([{ type: 'IDNP', value: '={{ $json.idnp }}' }], {
			options: { dedupe: true, dedupeKey: '={{ $json.idnp }}', concurrency: 4, ...options },
		}),
		ledger: 'postgres',
	};
	const json = { ...linearWorkflow([{ name: 'MNotify', parameters, onError }]), id: workflowId };
	json.nodes[1].credentials = { ...json.nodes[1].credentials, ...LEDGER_CREDENTIAL };
	return json;
}

/** Hands out people (`{ idnp }` items) from `firstIdnp` on, never the same twice. */
export function newPeople(firstIdnp: number): (count: number) => ReturnType<typeof items> {
	let next = firstIdnp;
	return (count) => {
		const first = next;
		next += count;
		return items(count, (index) => ({ idnp: String(first + index) }));
	};
}
