import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { NotificationRequest } from '../../../helpers/interfaces';
import {
	buildNotificationRequest,
	checkAttachments,
	type ContentInput,
} from '../../../helpers/requestBuilders';
import { mnotifyApiRequest, readReturnedId, readTimeoutSettings } from '../../../transport';
import { PRIORITIES } from '../../../helpers/interfaces';
import {
	contentProperties,
	templateLocator,
	templateVariablesProperties,
} from '../../common.descriptions';
import { readTextContent } from '../../shared';
import type { ItemTask, OperationModule } from '../../types';
import { checkAgentRecipientCap } from './agentGuardRails';
import { describeAttachments, readAttachments } from './attachments';
import { recipientTypeField } from './recipientTypes';
import {
	readRecipients,
	recipientFieldsProperty,
	recipientsModeProperty,
} from './recipientsFromInput';
import { readResolutionPolicy, resolutionProperties } from './resolution';
import { ledgerProperty } from './bulk.options';
import { renderedTexts, variablesOf } from './dryRun';
import { concurrency, readOptions, sendOptionProperties } from './send.options';
import { closeSendRun, sendRunFor } from './sendRun';
import { checkTemplateSend, readOwnTemplateTexts, templateTextsProperties } from './templateSend';
import { readTextsFromInput, TEXTS_FROM_INPUT, textFieldProperties } from './textsFromInput';
import { readSendVariables, variablesAsSent, withVariablesMapper } from './variablesMapper';
import { waitForDelivery } from './waitForDelivery';
import { readParameter } from '../../parameters';
import { isVersion1, sinceSafeVersion } from '../../versions';

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

async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const options = readOptions(this, itemIndex);
	const contentSource = readParameter(this, 'contentSource', itemIndex, 'text') as string;
	const recipients = readRecipients(this, itemIndex);

	let content: ContentInput | undefined;
	let template: { id: unknown; variables?: string } | undefined;
	if (contentSource === 'template') {
		const id = readParameter(this, 'templateId', itemIndex, '', { extractValue: true });
		const variables = await readSendVariables(this, itemIndex, id);
		template = { id, variables: variablesAsSent(this, itemIndex, variables) };
		content = readOwnTemplateTexts(this, itemIndex);
	} else if (contentSource === TEXTS_FROM_INPUT) {
		content = readTextsFromInput(this, itemIndex);
	} else {
		content = readTextContent(this, itemIndex);
	}

	const attachmentFiles = await describeAttachments(this, itemIndex, options.attachmentProperties);
	checkAttachments(attachmentFiles);

	// Validate everything now, without the attachments' bytes, so bad input never reaches MNotify.
	const validated = buildNotificationRequest({
		recipients,
		priority: readParameter(this, 'priority', itemIndex, PRIORITIES[0]),
		content,
		template,
		resolutionPolicy: readResolutionPolicy(this, itemIndex),
	});
	const settings = readTimeoutSettings(options);
	// Dry run, test recipient, dedupe key and pace (sendRun.ts).
	const bulk = sendRunFor(this);
	bulk.prepareItem(itemIndex, validated);

	const task: ItemTask = async () => {
		// After checkBeforeSending, which completes a template send's texts in place.
		const outgoing = bulk.outgoing(validated);
		const notSent = await bulk.beforeSend(itemIndex, outgoing);
		if (notSent) return notSent;
		const attachments = await readAttachments(this, itemIndex, attachmentFiles);
		const request = attachments.length > 0 ? { ...outgoing, attachments } : outgoing;
		let answer: unknown;
		try {
			answer = await mnotifyApiRequest.call(this, {
				method: 'POST',
				path: '/api/notification',
				body: request,
				action: 'send the notification',
				maybeAcceptedHint:
					'before running it again, check with Notification → Get Many (newest first), so nobody is notified twice.',
				itemIndex,
				settings,
			});
		} catch (error) {
			bulk.failed(itemIndex, error);
		}
		const id = readReturnedId(answer);
		// Failing the item here would invite a re-send of something MNotify probably accepted.
		const missingId = id
			? {}
			: {
					warning:
						'MNotify accepted the request but answered without a notification id. Check Notification → Get Many before sending it again.',
				};
		return {
			id: id ?? null,
			...missingId,
			status: 'Pending',
			priority: validated.priority,
			recipients: outgoing.recipients,
			subject: validated.subject,
			...(validated.template ? templateOutput(this, validated, templateName) : {}),
			...(validated.resolutionPolicy ? { resolutionPolicy: validated.resolutionPolicy } : {}),
			attachments: attachmentFiles.map(({ fileName, sizeBytes }) => ({ fileName, sizeBytes })),
			sentAt: new Date().toISOString(),
			...bulk.sent(itemIndex, id),
		} as IDataObject;
	};
	let templateName: string | undefined;
	if (validated.template) {
		const check = checkTemplateSend(this, itemIndex, validated);
		task.checkBeforeSending = async () => {
			templateName = await check();
		};
	}
	return task;
}

/**
 * A template send's output: the template with its name and variables, and the texts as the
 * recipients read them (placeholders filled, as Dry Run shows them). Version 1 keeps the
 * variables as the JSON text it output before.
 */
function templateOutput(
	context: IExecuteFunctions,
	request: NotificationRequest,
	name: string | undefined,
): IDataObject {
	const template = request.template!;
	return {
		template: {
			id: template.id,
			...(name ? { name } : {}),
			variables: isVersion1(context) ? template.variables : variablesOf(request),
		},
		rendered: renderedTexts(request),
	};
}

/** Send: an agent's call is capped in recipients first; optionally waits for delivery after. */
export const send: OperationModule = {
	description,
	notifiesPeople: true,
	writes: 'send a notification',
	beforeAll: checkAgentRecipientCap,
	prepare,
	afterSends: async function (this: IExecuteFunctions) {
		await closeSendRun(this);
	},
	finish: waitForDelivery,
	concurrency,
};
