/**
 * "Dry Run" and "Send Only To": a last look before the real run. A dry run validates and renders
 * every item and outputs exactly what would be sent, sending nothing: by then a template send
 * carries its texts and its placeholders are known to be filled (templateSend.ts), and the output
 * shows the texts with the variables put in. "Send Only To" replaces every item's recipients with
 * one test recipient; such runs never touch the dedupe keys, since the real recipients are not
 * notified.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	BUILT_IN_PLACEHOLDERS,
	type NotificationRequest,
	type RecipientIdentifier,
} from '../../../helpers/interfaces';
import { fillPlaceholders } from '../../../helpers/placeholders';
import { buildRecipients } from '../../../helpers/recipients';
import { InputError } from '../../../helpers/checks';
import { parseVariablesObject } from '../../../helpers/content';
import type { NodeParameters } from '../../parameters';
import { optionLabel, type SendOptions } from './send.options';

/** Send Only To's recipient, checked as any recipient; undefined when the option is empty. */
export function testRecipient(
	parameters: NodeParameters,
	options: SendOptions,
): RecipientIdentifier | undefined {
	const value = String(options.sendOnlyTo ?? '').trim();
	if (value === '') return undefined;
	try {
		return buildRecipients([{ type: options.sendOnlyToType ?? 'Email', value }])[0];
	} catch (error) {
		throw new NodeOperationError(
			parameters.context.getNode(),
			`${optionLabel(parameters, 'sendOnlyTo')}: ${error instanceof Error ? error.message : String(error)}`,
			{ description: error instanceof InputError ? error.hint : undefined },
		);
	}
}

/** A template send's variables as an object (the wire carries them as JSON text). */
export function variablesOf(request: NotificationRequest): IDataObject {
	return request.template
		? (parseVariablesObject(request.template.variables ?? '{}', 'Variables') as IDataObject)
		: {};
}

/** The texts people read: the custom placeholders filled (MNotify fills the built-ins). */
export function renderedTexts(request: NotificationRequest): IDataObject {
	const variables = variablesOf(request);
	return {
		subject: fillPlaceholders(request.subject, variables),
		body: fillPlaceholders(request.body, variables),
		bodyShort: fillPlaceholders(request.bodyShort, variables),
	} as unknown as IDataObject;
}

/** What a dry run outputs for an item: the request as it would go out, and the texts people would read. */
export function dryRunOutput(
	request: NotificationRequest,
	dedupeKey: string | undefined,
): IDataObject {
	return {
		dryRun: true,
		sent: false,
		request: request as unknown as IDataObject,
		rendered: renderedTexts(request),
		...(request.template ? { filledByMNotify: [...BUILT_IN_PLACEHOLDERS] } : {}),
		...(dedupeKey ? { dedupeKey } : {}),
	};
}
