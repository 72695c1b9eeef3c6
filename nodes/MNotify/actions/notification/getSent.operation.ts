/**
 * Get Sent: what the sent-ledger of "Skip Already Notified" holds for a workflow and a time window
 * (key hash, state, notification id, times), so a campaign can be reconciled and its ids fed to
 * Get for statuses. Only the PostgreSQL ledger can list; n8n's store keeps bare hashes and can
 * only count.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { limitOption } from '../listRequest';
import type { NodeParameters } from '../parameters';
import type { PrepareItem } from '../types';
import { ledgerProperty } from './send/bulk.options';
import { DEFAULT_LEDGER_TABLE, LedgerError, ledgerKind, ledgerTable, listLedger } from './ledger';

const properties: INodeProperties[] = [
	ledgerProperty,
	{
		displayName:
			"n8n's processed-data store cannot list what was sent: it keeps only hashes of the keys, without notification IDs or times. This operation then outputs how many values the workflow's shared scope holds. Choose the PostgreSQL ledger to reconcile campaigns.",
		name: 'n8nLedgerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ledger: ['n8n'] } },
	},
	{
		displayName: 'Workflow ID',
		name: 'workflowId',
		type: 'string',
		default: '={{ $workflow.id }}',
		description:
			'The workflow whose Send nodes wrote the ledger (its "This Workflow" scope and every node\'s own)',
	},
	{
		displayName: 'Since',
		name: 'since',
		type: 'dateTime',
		default: '',
		description: 'Keys changed at or after this time (empty: from the start)',
		displayOptions: { show: { ledger: ['postgres'] } },
	},
	{
		displayName: 'Until',
		name: 'until',
		type: 'dateTime',
		default: '',
		description: 'Keys changed before this time (empty: until now)',
		displayOptions: { show: { ledger: ['postgres'] } },
	},
	{ ...limitOption, displayOptions: { show: { ledger: ['postgres'] } } },
	{
		displayName: 'Ledger Table',
		name: 'ledgerTable',
		type: 'string',
		default: DEFAULT_LEDGER_TABLE,
		description: 'The table the Send nodes use (their Options › Ledger Table)',
		displayOptions: { show: { ledger: ['postgres'] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['getSent'] } },
	properties,
);

function readTime(parameters: NodeParameters, name: string, itemIndex: number, empty: Date): Date {
	const context = parameters.context;
	const value = String(parameters.read(name, itemIndex, '') ?? '').trim();
	if (value === '') return empty;
	const time = new Date(value);
	if (Number.isNaN(time.getTime())) {
		throw new NodeOperationError(
			context.getNode(),
			`"${value}" is not a date and time (item ${itemIndex})`,
			{
				description: `Field: ${name === 'since' ? 'Since' : 'Until'}. Use an ISO date such as 2026-12-01T08:00:00Z.`,
				itemIndex,
			},
		);
	}
	return time;
}

export const prepare: PrepareItem = async function (itemIndex, parameters) {
	const workflowId = String(parameters.read('workflowId', itemIndex, '') ?? '').trim();
	const workflowScope = `workflow:${workflowId || String(this.getWorkflow().id ?? '')}`;
	if (ledgerKind(this) === 'n8n') {
		return async () => {
			const values = await this.helpers.getProcessedDataCount('workflow', {
				mode: 'entries',
				maxEntries: 1,
			});
			return {
				ledger: 'n8n',
				canList: false,
				workflowScopeValues: values,
				message:
					"n8n's processed-data store cannot list what was sent (it keeps only hashes, without ids or times), only count: this is how many values this workflow's \"This Workflow\" scope holds (two per key with retention by number of keys, three with days; a node's own scope is not visible from another node). Use the PostgreSQL ledger to list sends.",
			};
		};
	}
	let table: string;
	try {
		table = ledgerTable(parameters.read('ledgerTable', itemIndex, '') as string, 'Ledger Table');
	} catch (error) {
		const hint = error instanceof LedgerError ? error.hint : undefined;
		throw new NodeOperationError(this.getNode(), (error as Error).message, {
			description: hint,
			itemIndex,
		});
	}
	const since = readTime(parameters, 'since', itemIndex, new Date(0));
	const until = readTime(parameters, 'until', itemIndex, new Date(Date.now() + 1000));
	const limit = Math.max(1, Math.floor(Number(parameters.read('limit', itemIndex, 50)) || 50));
	return async () => {
		try {
			const rows = await listLedger(this, { table, workflowScope, since, until, limit });
			return rows as unknown as IDataObject[];
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message, {
				description: error instanceof LedgerError ? error.hint : undefined,
				itemIndex,
			});
		}
	};
};
