import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import type { Attachment, NotificationDetails } from '../../helpers/interfaces';
import { FINAL_STATUSES } from '../../helpers/interfaces';
import {
	buildNotificationRequest,
	buildResolutionPolicy,
	checkAttachments,
	type AttachmentFile,
	type ContentInput,
} from '../../helpers/requestBuilders';
import { hasReachedAny } from '../../helpers/responses';
import { InputError } from '../../helpers/validation';
import { messageOf } from '../../transport/failures';
import { CREDENTIAL_TYPE, mnotifyApiRequest, readReturnedId } from '../../transport';
import type { MNotifyCredentials } from '../../transport/clientCertificate';
import { DEFAULT_CONCURRENCY, runWithConcurrency } from '../../helpers/concurrency';
import {
	contentProperties,
	templateLocator,
	templateVariablesProperties,
} from '../common.descriptions';
import type { ItemOutcome, ItemTask } from '../types';
import {
	readTemplateVariables,
	readTextContent,
	readTimeoutSettings,
	timeoutOption,
} from '../shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Recipients',
		name: 'recipients',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Recipient',
		default: { recipient: [{ type: 'IDNP', value: '' }] },
		required: true,
		description:
			"Who receives the notification. Map each item's IDNP, e-mail or phone with an expression to notify one person per item.",
		options: [
			{
				displayName: 'Recipient',
				name: 'recipient',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Email', value: 'Email', description: 'An e-mail address' },
							{ name: 'IDNO', value: 'IDNO', description: 'A company, by its 13-digit IDNO' },
							{ name: 'IDNP', value: 'IDNP', description: 'A person, by their 13-digit IDNP' },
							{
								name: 'Telephone',
								value: 'Telephone',
								description: 'A phone number, e.g. +37369123456',
							},
						],
						default: 'IDNP',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: '2000000000000',
					},
				],
			},
		],
	},
	{
		displayName: 'Content',
		name: 'contentSource',
		type: 'options',
		options: [
			{ name: 'Write the Texts', value: 'text' },
			{ name: 'Use a Template', value: 'template' },
		],
		default: 'text',
	},
	...contentProperties({ shortBody: true }).map((property) => ({
		...property,
		displayOptions: { show: { contentSource: ['text'] } },
	})),
	{ ...templateLocator, displayOptions: { show: { contentSource: ['template'] } } },
	...templateVariablesProperties.map((property) => ({
		...property,
		displayOptions: {
			show: { ...(property.displayOptions?.show ?? {}), contentSource: ['template'] },
		},
	})),
	{
		displayName: 'Priority',
		name: 'priority',
		type: 'options',
		options: [
			{ name: 'Low', value: 'Low' },
			{ name: 'Medium', value: 'Medium' },
			{ name: 'High', value: 'High' },
		],
		default: 'Low',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Allow Production Sends From AI Agents',
				name: 'allowProductionFromAgents',
				type: 'boolean',
				default: false,
				description:
					'Whether an AI agent using this node as a tool may send real notifications with a Production credential. Off by default so an agent cannot notify citizens by mistake.',
			},
			{
				displayName: 'Attachments (Binary Properties)',
				name: 'attachmentProperties',
				type: 'string',
				default: '',
				placeholder: 'data, invoice',
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
				displayName: 'Max Recipients per AI Agent Call',
				name: 'maxRecipientsPerAgentCall',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 10,
				description:
					'When an AI agent uses this node as a tool, the most recipients one call may notify; bulk sends belong in a workflow, not an agent',
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
			{
				displayName: 'Resolution Direction',
				name: 'resolutionDirection',
				type: 'options',
				options: [
					{ name: 'Administrator', value: 'Administrator' },
					{ name: 'Founder', value: 'Founder' },
					{ name: 'None', value: '' },
					{ name: 'Owner', value: 'Owner' },
				],
				default: '',
				description: 'Which people of the resolved entity to notify',
			},
			{
				displayName: 'Resolution Policy',
				name: 'resolutionPolicyType',
				type: 'options',
				options: [
					{ name: 'Cadastral Number', value: 'CadastralNumber' },
					{ name: 'IDNO', value: 'IDNO' },
					{ name: 'IDNP', value: 'IDNP' },
					{ name: 'IDNV', value: 'IDNV' },
					{ name: 'None', value: '' },
					{ name: 'Plate Number', value: 'PlateNumber' },
				],
				default: '',
				description:
					'Let MNotify resolve the recipient identifier to the people behind it, e.g. the administrators of a company given by IDNO',
			},
			timeoutOption,
			{
				displayName: 'Wait for Delivery',
				name: 'waitForDelivery',
				type: 'boolean',
				default: false,
				description:
					'Whether to wait, after sending, until each notification reaches a final status (or one chosen below) and output it',
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
				options: [
					{ name: 'Cancelled', value: 'Cancelled' },
					{ name: 'Delivered', value: 'Delivered' },
					{ name: 'Failed', value: 'Failed' },
					{ name: 'Read', value: 'Read' },
					{ name: 'Sent', value: 'Sent' },
				],
				default: ['Delivered', 'Read', 'Failed', 'Cancelled'],
				description:
					'Stop waiting when a notification reaches (or passes) one of these. Failed and Cancelled always stop the wait.',
				displayOptions: { show: { waitForDelivery: [true] } },
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['send'] } },
	properties,
);

interface SendOptions {
	allowProductionFromAgents?: boolean;
	maxRecipientsPerAgentCall?: number;
	attachmentProperties?: string;
	concurrency?: number;
	pollIntervalSeconds?: number;
	resolutionDirection?: string;
	resolutionPolicyType?: string;
	timeoutSeconds?: number;
	waitForDelivery?: boolean;
	waitTimeoutSeconds?: number;
	waitUntilStatuses?: string[];
}

function readOptions(context: IExecuteFunctions, itemIndex: number): SendOptions {
	return context.getNodeParameter('options', itemIndex, {}) as SendOptions;
}

export function concurrency(this: IExecuteFunctions): number {
	return readOptions(this, 0).concurrency ?? DEFAULT_CONCURRENCY;
}

/** n8n runs a node used by an AI agent as a tool under the node type name plus "Tool". */
function isAgentToolCall(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

/**
 * Guard rails for AI agents: no Production sends unless the workflow author opted in, and a cap
 * on how many people one tool call may notify. Checked before anything is sent.
 */
export async function beforeAll(this: IExecuteFunctions, itemCount: number): Promise<void> {
	if (!isAgentToolCall(this)) return;
	const options = readOptions(this, 0);
	const credentials = await this.getCredentials<MNotifyCredentials>(CREDENTIAL_TYPE);
	if (credentials.environment === 'production' && !options.allowProductionFromAgents) {
		throw new NodeOperationError(
			this.getNode(),
			'An AI agent tried to send a notification with a Production credential',
			{
				description:
					'Sends from agents are limited to Testing unless the workflow author turns on "Allow Production Sends From AI Agents" in the node options.',
			},
		);
	}
	let recipients = 0;
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		recipients += (this.getNodeParameter('recipients.recipient', itemIndex, []) as unknown[])
			.length;
	}
	const limit = options.maxRecipientsPerAgentCall ?? 10;
	if (recipients > limit) {
		throw new NodeOperationError(
			this.getNode(),
			`An AI agent tried to notify ${recipients} recipients in one call; the limit is ${limit}`,
			{
				description:
					'Bulk notices belong in a workflow rather than an agent. Raise "Max Recipients per AI Agent Call" in the node options if this is intended.',
			},
		);
	}
}

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const options = readOptions(this, itemIndex);
	const contentSource = this.getNodeParameter('contentSource', itemIndex, 'text') as string;
	const recipients = this.getNodeParameter('recipients.recipient', itemIndex, []) as Array<{
		type?: unknown;
		value?: unknown;
	}>;

	let content: ContentInput | undefined;
	let template: { id: unknown; variables?: string } | undefined;
	if (contentSource === 'template') {
		template = {
			id: this.getNodeParameter('templateId', itemIndex, '', { extractValue: true }),
			variables: readTemplateVariables(this, itemIndex),
		};
	} else {
		content = readTextContent(this, itemIndex);
	}

	const attachmentFiles = await describeAttachments(this, itemIndex, options.attachmentProperties);
	checkAttachments(attachmentFiles);

	// Validate everything now, without the attachments' bytes, so bad input never reaches MNotify.
	const validated = buildNotificationRequest({
		recipients,
		priority: this.getNodeParameter('priority', itemIndex, 'Low'),
		content,
		template,
		resolutionPolicy: buildResolutionPolicy(
			options.resolutionPolicyType,
			options.resolutionDirection,
		),
	});
	const settings = readTimeoutSettings(options);

	return async () => {
		const attachments = await readAttachments(this, itemIndex, attachmentFiles);
		const request = attachments.length > 0 ? { ...validated, attachments } : validated;
		const answer = await mnotifyApiRequest.call(this, {
			method: 'POST',
			path: '/api/notification',
			body: request,
			action: 'send the notification',
			itemIndex,
			settings,
		});
		const id = readReturnedId(answer);
		return {
			id: id ?? null,
			status: 'Pending',
			priority: validated.priority,
			recipients: validated.recipients,
			subject: validated.subject,
			...(validated.template ? { template: validated.template } : {}),
			...(validated.resolutionPolicy ? { resolutionPolicy: validated.resolutionPolicy } : {}),
			attachments: attachmentFiles.map(({ fileName, sizeBytes }) => ({ fileName, sizeBytes })),
			sentAt: new Date().toISOString(),
		} as IDataObject;
	};
}

function binaryPropertyNames(list: string | undefined): string[] {
	return (list ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
}

async function describeAttachments(
	context: IExecuteFunctions,
	itemIndex: number,
	list: string | undefined,
): Promise<AttachmentFile[]> {
	const files: AttachmentFile[] = [];
	for (const property of binaryPropertyNames(list)) {
		const binary = context.getInputData()[itemIndex]?.binary?.[property];
		const source = `binary property "${property}" of item ${itemIndex}`;
		if (!binary) {
			throw new InputError(
				`Attachments › ${property}`,
				`The input item has no binary property "${property}" to attach`,
				'Check the property name in the previous node\'s output (Binary tab), e.g. "data".',
			);
		}
		const buffer = await context.helpers.getBinaryDataBuffer(itemIndex, property);
		files.push({
			fileName:
				binary.fileName ?? `${property}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
			sizeBytes: buffer.length,
			source,
		});
	}
	return files;
}

/** Reads the bytes only when sending, so a large batch does not hold every file at once. */
async function readAttachments(
	context: IExecuteFunctions,
	itemIndex: number,
	files: AttachmentFile[],
): Promise<Attachment[]> {
	const properties = binaryPropertyNames(readOptions(context, itemIndex).attachmentProperties);
	return await Promise.all(
		files.map(async (file, index) => ({
			fileName: file.fileName,
			base64: (await context.helpers.getBinaryDataBuffer(itemIndex, properties[index])).toString(
				'base64',
			),
		})),
	);
}

/**
 * Wait for delivery: poll every sent notification in rounds until each reaches a wanted status
 * or the timeout passes. Between rounds nothing runs (a timer, not a busy loop).
 */
export async function finish(this: IExecuteFunctions, outcomes: ItemOutcome[]): Promise<void> {
	const options = readOptions(this, 0);
	if (!options.waitForDelivery) return;
	const targets = options.waitUntilStatuses?.length
		? options.waitUntilStatuses
		: [...FINAL_STATUSES];
	const intervalMs = (options.pollIntervalSeconds ?? 5) * 1000;
	const deadline = Date.now() + (options.waitTimeoutSeconds ?? 300) * 1000;
	const startedAt = Date.now();
	const settings = readTimeoutSettings(options);

	let waiting = outcomes.filter((outcome) => typeof outcome.output?.[0]?.id === 'string');
	while (waiting.length > 0) {
		const stillWaiting: ItemOutcome[] = [];
		await runWithConcurrency(waiting.length, concurrency.call(this), async (index) => {
			const outcome = waiting[index];
			const sent = outcome.output![0];
			try {
				const details = (await mnotifyApiRequest.call(this, {
					method: 'GET',
					path: `/api/notification/${String(sent.id)}`,
					action: `read the status of notification ${String(sent.id)}`,
					itemIndex: outcome.itemIndex,
					settings,
				})) as NotificationDetails;
				Object.assign(sent, {
					status: details.status,
					recipients: details.recipients ?? sent.recipients,
				});
				if (!hasReachedAny(details.status, targets)) stillWaiting.push(outcome);
			} catch (error) {
				// The notification was sent; a failed status read must not hide that. Report it on the item.
				sent.waitError = messageOf(error) || String(error);
			}
			return true;
		});
		waiting = stillWaiting;
		if (waiting.length === 0 || Date.now() + intervalMs > deadline) break;
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
	const waitedSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
	for (const outcome of outcomes) {
		const sent = outcome.output?.[0];
		if (!sent || typeof sent.id !== 'string') continue;
		sent.waitedSeconds = waitedSeconds;
		sent.waitTimedOut = waiting.includes(outcome);
	}
}
