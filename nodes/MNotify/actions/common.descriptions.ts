import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { LIMITS, UUID_PATTERN } from '../helpers/interfaces';

/** The Romanian texts of a message and their Russian/English translations. */
export function contentProperties(required: { shortBody: boolean }): INodeProperties[] {
	return [
		{
			displayName: 'Subject',
			name: 'subject',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. Payment due on 15 March',
			hint: `At most ${LIMITS.emailSubjectLength} characters: MNotify uses it as the e-mail subject`,
			description: 'Subject in Romanian (MNotify uses it as the e-mail subject)',
		},
		{
			displayName: 'Body',
			name: 'body',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			required: true,
			placeholder: 'e.g. <p>Your payment of 120 lei is due on 15 March.</p>',
			description: 'Full text in Romanian; HTML is allowed',
		},
		{
			displayName: 'Short Body',
			name: 'shortBody',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			required: required.shortBody,
			placeholder: 'e.g. Payment of 120 lei due on 15 March.',
			hint: `The text for SMS, Viber and push channels: plain text, at most ${LIMITS.smsTextLength} characters`,
			description: 'Short text in Romanian for instant-message channels',
		},
		{
			displayName: 'Translations',
			name: 'translations',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Translation',
			default: {},
			description: 'The same texts in Russian or English; Romanian is always required',
			options: [
				{
					displayName: 'Translation',
					name: 'translation',
					values: [
						{
							displayName: 'Language',
							name: 'language',
							type: 'options',
							options: [
								{ name: 'English', value: 'en' },
								{ name: 'Russian', value: 'ru' },
							],
							default: 'ru',
						},
						{
							displayName: 'Subject',
							name: 'subject',
							type: 'string',
							default: '',
						},
						{
							displayName: 'Body',
							name: 'body',
							type: 'string',
							typeOptions: { rows: 4 },
							default: '',
						},
						{
							displayName: 'Short Body',
							name: 'shortBody',
							type: 'string',
							default: '',
						},
					],
				},
			],
		},
	];
}

/** UUIDs in either case, as n8n's locator validation takes a regex without flags. */
const UUID_REGEX = `^\\s*${UUID_PATTERN.source.slice(1, -1).replace(/a-f/g, 'a-fA-F')}\\s*$`;

/** A resource picked from a searchable list, or given by its ID (a UUID). */
function idLocator(options: {
	name: string;
	displayName: string;
	what: string;
	searchListMethod: string;
	example: string;
}): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: `The MNotify ${options.what}`,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${options.example}`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: UUID_REGEX,
							errorMessage: `Not a ${options.what} ID (a UUID)`,
						},
					},
				],
			},
		],
	};
}

export const templateLocator = idLocator({
	name: 'templateId',
	displayName: 'Template',
	what: 'template',
	searchListMethod: 'searchTemplates',
	example: 'de4ea3da-bc02-4bc3-9c0d-16a0e64a06ff',
});

/** Recent notifications in the list (newest first), or any by its ID, e.g. mapped from Send. */
export const notificationLocator = idLocator({
	name: 'notificationId',
	displayName: 'Notification',
	what: 'notification',
	searchListMethod: 'searchNotifications',
	example: '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d',
});

/** Values for `{{Name}}` placeholders, as pairs or as one JSON object. */
export const templateVariablesProperties: INodeProperties[] = [
	{
		displayName: 'Variables Input',
		name: 'variablesMode',
		type: 'options',
		options: [
			{ name: 'Name and Value Pairs', value: 'keyValue' },
			{ name: 'JSON Object', value: 'json' },
		],
		default: 'keyValue',
		description: 'How to give values for the template placeholders such as {{customerName}}',
	},
	{
		displayName: 'Variables',
		name: 'variables',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Variable',
		default: {},
		displayOptions: { show: { variablesMode: ['keyValue'] } },
		options: [
			{
				displayName: 'Variable',
				name: 'variable',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. amount',
						description: 'Placeholder name without braces',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. 120',
					},
				],
			},
		],
	},
	{
		displayName: 'Variables (JSON)',
		name: 'variablesJson',
		type: 'json',
		default: '{}',
		displayOptions: { show: { variablesMode: ['json'] } },
		description: 'A JSON object such as {"customerName": "Ion Popescu"}',
	},
];

/** The shape of a notification in the output: nested, or one item per recipient message. */
export const outputFormatOption: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	options: [
		{
			name: 'Notification',
			value: 'notification',
			description: 'One item with the status and the nested recipients and messages',
		},
		{
			name: 'One Item per Message',
			value: 'messages',
			description: 'One item per recipient and channel, with its own status',
		},
	],
	default: 'notification',
};

/**
 * Panel options for values of one of the lists in helpers/interfaces.ts, alphabetically as n8n
 * lists options. `labels` gives a readable name or a description where the value alone is terse.
 */
export function optionsFrom(
	values: readonly string[],
	labels: Record<string, { name?: string; description?: string }> = {},
): INodePropertyOptions[] {
	return values
		.map((value) => ({
			name: labels[value]?.name ?? value,
			value,
			...descriptionOf(labels[value]),
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

function descriptionOf(label: { description?: string } | undefined) {
	return label?.description ? { description: label.description } : {};
}

/** Notification statuses as panel options. */
export function statusOptions(statuses: readonly string[]): INodePropertyOptions[] {
	return optionsFrom(statuses);
}
