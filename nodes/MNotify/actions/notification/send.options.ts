import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY } from '../../helpers/concurrency';
import { checkOptionValues } from '../../helpers/validation';
import { outputFormatOption, statusOptions } from '../common.descriptions';
import { allowProductionFromAgentsOption } from '../agentGuard';
import { timeoutOption } from '../shared';
import { readParameter } from '../parameters';
import { bulkOptions, type BulkOptions } from './bulk.options';

/** The panel lists options alphabetically; the bulk options come from bulk.options.ts. */
const withBulkOptions = (options: INodeProperties[]) =>
	[...options, ...bulkOptions].sort((a, b) => a.displayName.localeCompare(b.displayName));

/** The Send operation's options: attachments, waiting, agents, tuning, bulk runs. */
export const sendOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: withBulkOptions([
		allowProductionFromAgentsOption,
		{
			displayName: 'Attachments (Binary Properties)',
			name: 'attachmentProperties',
			type: 'string',
			default: '',
			placeholder: 'e.g. data, invoice',
			description:
				"Names of the input item's binary properties to attach, separated by commas. Allowed: .jpeg .jpg .png .txt .pdf .csv .xls, 10 MB in total.",
		},
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 32 },
			default: DEFAULT_CONCURRENCY,
			description: 'How many notifications to send at the same time when there are many items',
		},
		{
			displayName: 'Failed Delivery Is an Error',
			name: 'failedDeliveryIsError',
			type: 'boolean',
			default: false,
			description:
				'Whether a notification that ends in status Failed becomes an item error (for the error output or Continue On Fail to branch on) instead of a normal item with status Failed',
			displayOptions: { show: { waitForDelivery: [true] } },
		},
		{
			displayName: 'Max Recipients per Agent Call',
			name: 'maxRecipientsPerAgentCall',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10,
			description:
				'When an AI agent uses this node as a tool, the most recipients one call may notify; bulk sends belong in a workflow, not an agent',
		},
		{
			...outputFormatOption,
			displayName: 'Output After Waiting',
			displayOptions: { show: { waitForDelivery: [true] } },
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 5,
			description: 'How often to ask MNotify for the status while waiting',
			displayOptions: { show: { waitForDelivery: [true] } },
		},
		timeoutOption,
		{
			displayName: 'Wait for Delivery',
			name: 'waitForDelivery',
			type: 'boolean',
			default: false,
			description:
				'Whether to wait, after sending, until each notification reaches a final status (or one chosen below) and output it',
			hint: 'For thousands of recipients, use the MNotify Trigger rather than Wait for Delivery: it reports each status change without holding this execution open',
		},
		{
			displayName: 'Wait Timeout (Seconds)',
			name: 'waitTimeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 300,
			description:
				'How long to wait at most; notifications still in progress are output with waitTimedOut set',
			displayOptions: { show: { waitForDelivery: [true] } },
		},
		{
			displayName: 'Wait Until Status',
			name: 'waitUntilStatuses',
			type: 'multiOptions',
			options: statusOptions(['Cancelled', 'Delivered', 'Failed', 'Read', 'Sent']),
			default: ['Delivered', 'Read', 'Failed', 'Cancelled'],
			description:
				'Stop waiting when a notification reaches (or passes) one of these. Failed and Cancelled always stop the wait.',
			displayOptions: { show: { waitForDelivery: [true] } },
		},
	]),
};

export interface SendOptions extends BulkOptions {
	allowProductionFromAgents?: boolean;
	maxRecipientsPerAgentCall?: number;
	output?: string;
	attachmentProperties?: string;
	concurrency?: number;
	failedDeliveryIsError?: boolean;
	pollIntervalSeconds?: number;
	timeoutSeconds?: number;
	waitForDelivery?: boolean;
	waitTimeoutSeconds?: number;
	waitUntilStatuses?: string[];
}

/** The options, each checked against its description in the panel (an input error if wrong). */
export function readOptions(context: IExecuteFunctions, itemIndex: number): SendOptions {
	const values = readParameter(context, 'options', itemIndex, {});
	return checkOptionValues(values, sendOptions.options as INodeProperties[]) as SendOptions;
}

export function concurrency(this: IExecuteFunctions): number {
	return readOptions(this, 0).concurrency ?? DEFAULT_CONCURRENCY;
}
