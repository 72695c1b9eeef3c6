import type { INodeProperties } from 'n8n-workflow';

import type { ContentInput } from '../../../helpers/content';
import { requireText } from '../../../helpers/checks';
import { inputJson, readInputField, textOfField } from '../../inputFields';
import type { NodeParameters } from '../../parameters';

/** Content → "Take the Texts From Input Fields". */
export const TEXTS_FROM_INPUT = 'fields';

/** Each text, and the setting naming the input field that holds it. */
const TEXT_FIELDS: Array<{ part: 'subject' | 'body' | 'shortBody'; setting: INodeProperties }> = [
	{
		part: 'subject',
		setting: {
			displayName: 'Subject Field',
			name: 'subjectField',
			type: 'string',
			default: 'subject',
			required: true,
			description: 'The input field holding the subject, in Romanian',
		},
	},
	{
		part: 'body',
		setting: {
			displayName: 'Body Field',
			name: 'bodyField',
			type: 'string',
			default: 'body',
			required: true,
			description: 'The input field holding the full text (HTML allowed), in Romanian',
		},
	},
	{
		part: 'shortBody',
		setting: {
			displayName: 'Short Body Field',
			name: 'shortBodyField',
			type: 'string',
			default: 'shortBody',
			required: true,
			description: 'The input field holding the short text for SMS and push, in Romanian',
		},
	},
];

export const textFieldProperties: INodeProperties[] = TEXT_FIELDS.map(({ setting }) => ({
	...setting,
	displayOptions: { show: { contentSource: [TEXTS_FROM_INPUT] } },
}));

/** The item's texts, read from the fields the panel names. */
export function readTextsFromInput(parameters: NodeParameters, itemIndex: number): ContentInput {
	const json = inputJson(parameters.context, itemIndex);
	const content: ContentInput = { subject: '', body: '', shortBody: '' };
	for (const { part, setting } of TEXT_FIELDS) {
		const label = setting.displayName;
		const name = requireText(
			parameters.read(setting.name, itemIndex, setting.default),
			label,
		).trim();
		content[part] = textOfField(readInputField(json, name, label), name, label);
	}
	return content;
}
