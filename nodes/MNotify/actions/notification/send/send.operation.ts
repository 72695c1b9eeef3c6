import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { PRIORITIES } from '../../../helpers/interfaces';
import {
	contentProperties,
	templateLocator,
	templateVariablesProperties,
} from '../../common.descriptions';
import type { OperationModule } from '../../types';
import { sinceSafeVersion } from '../../versions';
import { ledgerProperty } from './bulk.options';
import { recipientTypeField } from './recipientTypes';
import { recipientFieldsProperty, recipientsModeProperty } from './recipientsFromInput';
import { resolutionProperties } from './resolution';
import { startSendRun } from './run';
import { sendOptionProperties } from './send.options';
import { templateTextsProperties } from './templateSend';
import { TEXTS_FROM_INPUT, textFieldProperties } from './textsFromInput';
import { withVariablesMapper } from './variablesMapper';

/** Building a workflow runs it: said before the first click, as the totals hint says after. */
const realSendsNotice: INodeProperties = {
	displayName:
		'Every run sends real notifications, Execute step included (with a Production credential, to citizens). Bulk Safety › Skip Already Notified, on unless you turn it off, makes a second run skip those already sent; Bulk Safety › Dry Run sends nothing.',
	name: 'realSendsNotice',
	type: 'notice',
	default: '',
	displayOptions: sinceSafeVersion,
};

const properties: INodeProperties[] = [
	realSendsNotice,
	recipientsModeProperty,
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
		displayOptions: { show: { recipientsMode: ['manual'] } },
		options: [
			{
				displayName: 'Recipient',
				name: 'recipient',
				values: [
					recipientTypeField,
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. 2000000000000',
					},
				],
			},
		],
	},
	recipientFieldsProperty,
	{
		displayName: 'Content',
		name: 'contentSource',
		type: 'options',
		options: [
			{ name: 'Write the Texts', value: 'text' },
			{ name: 'Take the Texts From Input Fields', value: TEXTS_FROM_INPUT },
			{ name: 'Use a Template', value: 'template' },
		],
		default: 'text',
	},
	...contentProperties({ shortBody: true }).map((property) => ({
		...property,
		displayOptions: { show: { contentSource: ['text'] } },
	})),
	...textFieldProperties,
	{ ...templateLocator, displayOptions: { show: { contentSource: ['template'] } } },
	...templateTextsProperties,
	...withVariablesMapper(templateVariablesProperties).map((property) => ({
		...property,
		displayOptions: {
			show: { ...(property.displayOptions?.show ?? {}), contentSource: ['template'] },
		},
	})),
	{
		displayName: 'Priority',
		name: 'priority',
		type: 'options',
		options: PRIORITIES.map((priority) => ({ name: priority, value: priority })),
		default: 'Low',
	},
	...resolutionProperties,
	ledgerProperty,
	...sendOptionProperties,
];

const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['send'] } },
	properties,
);

/** Send: the panel here; one run per execution (run.ts) takes every item. */
export const send: OperationModule = {
	description,
	notifiesPeople: true,
	writes: 'send a notification',
	startRun: startSendRun,
};
