import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { serializeTemplateVariables, type ContentInput } from '../helpers/content';

import { readParameter } from './parameters';

/** The texts as the panel holds them (Romanian fields plus translations). */
export function readTextContent(context: IExecuteFunctions, itemIndex: number): ContentInput {
	return {
		subject: readParameter(context, 'subject', itemIndex, ''),
		body: readParameter(context, 'body', itemIndex, ''),
		shortBody: readParameter(context, 'shortBody', itemIndex, ''),
		translations: readParameter(
			context,
			'translations.translation',
			itemIndex,
			[],
		) as ContentInput['translations'],
	};
}

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeoutSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 30,
	description: 'How long to wait for MNotify to answer each request',
};

/** Template variables from the panel (pairs or JSON), as the JSON string MNotify expects. */
export function readTemplateVariables(
	context: IExecuteFunctions,
	itemIndex: number,
): string | undefined {
	const mode = readParameter(context, 'variablesMode', itemIndex, 'keyValue') as
		'keyValue' | 'json';
	if (mode === 'json') {
		return serializeTemplateVariables(
			mode,
			undefined,
			readParameter(context, 'variablesJson', itemIndex, '{}'),
		);
	}
	const pairs = readParameter(context, 'variables.variable', itemIndex, []) as Array<{
		name?: unknown;
		value?: unknown;
	}>;
	return serializeTemplateVariables(mode, pairs, undefined);
}
