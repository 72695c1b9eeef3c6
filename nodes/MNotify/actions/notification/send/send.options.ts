import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { ALLOWED_ATTACHMENT_EXTENSIONS } from '../../../helpers/attachments';
import { DEFAULT_CONCURRENCY } from '../../../helpers/pacing';
import {
	ATTACHMENTS_LIMIT_IN_WORDS,
	FINAL_STATUSES,
	WAIT_UNTIL_STATUSES,
} from '../../../helpers/interfaces';
import { checkOptionValues } from '../../../helpers/checks';
import { outputFormatOption, statusOptions } from '../../common.descriptions';
import { allowProductionFromAgentsOption } from '../../agentGuard';
import { timeoutOption } from '../../shared';
import type { NodeParameters } from '../../parameters';
import {
	BULK_SAFETY_DEFAULT,
	bulkOptions,
	bulkSafetyOptions,
	type BulkOptions,
} from './bulk.options';
import { onlyVersion1, sinceSafeVersion } from '../../versions';

/** n8n lists a collection's options alphabetically. */
const alphabetically = (options: INodeProperties[]) =>
	[...options].sort((a, b) => a.displayName.localeCompare(b.displayName));

const whenWaiting = { show: { waitForDelivery: [true] } };

/** Attachments, waiting for delivery and the request timeout: how each notification goes out. */
const deliveryOptions: INodeProperties[] = [
	{
		displayName: 'Attachments (Binary Properties)',
		name: 'attachmentProperties',
		type: 'string',
		default: '',
		placeholder: 'e.g. data, invoice',
		description: `Names of the input item's binary properties to attach, separated by commas. Allowed: ${ALLOWED_ATTACHMENT_EXTENSIONS.join(' ')}, ${ATTACHMENTS_LIMIT_IN_WORDS} in total.`,
	},
	{
		displayName: 'Failed Delivery Is an Error',
		name: 'failedDeliveryIsError',
		type: 'boolean',
		default: false,
		description:
			'Whether a notification that ends in status Failed becomes an item error (for the error output or Continue On Fail to branch on) instead of a normal item with status Failed',
		displayOptions: whenWaiting,
	},
	{ ...outputFormatOption, displayName: 'Output After Waiting', displayOptions: whenWaiting },
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 5,
		description: 'How often to ask MNotify for the status while waiting',
		displayOptions: whenWaiting,
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
		displayOptions: whenWaiting,
	},
	{
		displayName: 'Wait Until Status',
		name: 'waitUntilStatuses',
		type: 'multiOptions',
		options: statusOptions([...WAIT_UNTIL_STATUSES].sort()),
		default: [...FINAL_STATUSES],
		description:
			'Stop waiting when a notification reaches (or passes) one of these. Failed and Cancelled always stop the wait.',
		displayOptions: whenWaiting,
	},
];

/** The most recipients one AI agent's tool call may notify unless the author raises it. */
export const DEFAULT_MAX_RECIPIENTS_PER_AGENT_CALL = 10;

/** The guard rails that apply when an AI agent uses the node as a tool. */
const agentOptions: INodeProperties[] = [
	allowProductionFromAgentsOption,
	{
		displayName: 'Max Recipients per Agent Call',
		name: 'maxRecipientsPerAgentCall',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_MAX_RECIPIENTS_PER_AGENT_CALL,
		description:
			'When an AI agent uses this node as a tool, the most recipients one call may notify; bulk sends belong in a workflow, not an agent',
	},
];

const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 32 },
	default: DEFAULT_CONCURRENCY,
	description: 'How many notifications to send at the same time when there are many items',
};

interface OptionGroup {
	name: string;
	displayName: string;
	options: INodeProperties[];
	default: INodeProperties['default'];
}

/** Node version 1: one alphabetical Options list, kept exactly for the workflows that use it. */
const FLAT_OPTIONS: OptionGroup = {
	name: 'options',
	displayName: 'Options',
	options: alphabetically([...deliveryOptions, ...agentOptions, concurrencyOption, ...bulkOptions]),
	default: {},
};

/** Node version 1.1: each collection one idea. Option names are version 1's. */
const OPTION_GROUPS: OptionGroup[] = [
	{
		name: 'delivery',
		displayName: 'Delivery',
		options: alphabetically(deliveryOptions),
		default: {},
	},
	{
		name: 'bulkSafety',
		displayName: 'Bulk Safety',
		options: alphabetically([...bulkSafetyOptions, concurrencyOption]),
		default: BULK_SAFETY_DEFAULT,
	},
	{ name: 'aiAgent', displayName: 'AI Agent', options: agentOptions, default: {} },
];

const PLACEHOLDERS: Record<string, string> = {
	options: 'Add Option',
	delivery: 'Add Delivery Option',
	bulkSafety: 'Add Bulk Safety Option',
	aiAgent: 'Add AI Agent Option',
};

function collection(group: OptionGroup, displayOptions: INodeProperties['displayOptions']) {
	// The default is the group's own: {} or Bulk Safety's safe defaults (the rule wants a literal).
	// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
	return {
		displayName: group.displayName,
		name: group.name,
		type: 'collection',
		placeholder: PLACEHOLDERS[group.name],
		default: group.default,
		options: group.options,
		displayOptions,
	} satisfies INodeProperties;
}

/** Version 1's Options (exported for tests that read its choices). */
export const sendOptions: INodeProperties = collection(FLAT_OPTIONS, onlyVersion1);

/** The Send options of both versions, as the panel shows them. */
export const sendOptionProperties: INodeProperties[] = [
	sendOptions,
	...OPTION_GROUPS.map((group) => collection(group, sinceSafeVersion)),
];

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

function groupsOf(parameters: NodeParameters): OptionGroup[] {
	return parameters.isVersion1 ? [FLAT_OPTIONS] : OPTION_GROUPS;
}

/** An option not set takes its default in version 1.1 (as n8n reads options); version 1 as before. */
function defaultsOf(group: OptionGroup, parameters: NodeParameters): IDataObject {
	if (parameters.isVersion1) return {};
	return Object.fromEntries(group.options.map((option) => [option.name, option.default]));
}

/**
 * The Send options of either version as one object with version 1's names: each checked against
 * its description in the panel (an input error naming the group and the option if wrong).
 */
export function readOptions(parameters: NodeParameters, itemIndex: number): SendOptions {
	const merged: IDataObject = {};
	for (const group of groupsOf(parameters)) {
		const values = parameters.read(group.name, itemIndex, group.default);
		const checked = checkOptionValues(values, group.options, { label: group.displayName });
		Object.assign(merged, defaultsOf(group, parameters), checked);
	}
	return flattenSendOnlyTo(merged) as SendOptions;
}

/** The group holding an option in this node's version, e.g. "options" or "bulkSafety". */
function groupHolding(parameters: NodeParameters, name: string): OptionGroup {
	const groups = groupsOf(parameters);
	return groups.find((group) => group.options.some((option) => option.name === name)) ?? groups[0];
}

/** The parameter path of an option, e.g. "bulkSafety.dedupeKey", for reading it per item. */
export function optionPath(parameters: NodeParameters, name: string): string {
	return `${groupHolding(parameters, name).name}.${name}`;
}

/** How the panel names an option in errors, e.g. "Bulk Safety › Send Only To". */
export function optionLabel(parameters: NodeParameters, name: string): string {
	const group = groupHolding(parameters, name);
	const option = group.options.find((candidate) => candidate.name === name);
	return `${group.displayName} › ${option?.displayName ?? name}`;
}

/** An option as the node's parameters hold it (an expression not yet evaluated). */
export function rawOption(parameters: NodeParameters, name: string): unknown {
	return parameters.savedValue(optionPath(parameters, name));
}

/** Whether an option group holds an expression, so that the options may differ between items. */
export function optionsDifferByItem(parameters: NodeParameters): boolean {
	return groupsOf(parameters).some((group) => parameters.holdsExpression(group.name));
}

/** Send Only To of version 1.1 as version 1 has it (value and type), for one reading of both. */
function flattenSendOnlyTo(options: IDataObject): IDataObject {
	const setting = options.sendOnlyTo;
	if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) return options;
	const recipient = (setting as IDataObject).recipient as IDataObject | undefined;
	return {
		...options,
		sendOnlyTo: recipient?.value ?? '',
		sendOnlyToType: recipient?.type ?? 'Email',
	};
}
