import type { INodeProperties } from 'n8n-workflow';

import type { RecipientIdentifier, RecipientType } from '../../../helpers/interfaces';
import { InputError, requireText } from '../../../helpers/checks';
import { validateRecipientValue } from '../../../helpers/recipients';
import { inputJson, readInputField, textOfField } from '../../inputFields';
import type { NodeParameters } from '../../parameters';
import { recipientTypeField } from './recipientTypes';

/** Recipients Input's value for recipients read from the item's fields. */
export const RECIPIENTS_FROM_FIELDS = 'fields';

/** Recipients listed in the panel (with expressions for item values) or read from item fields. */
export const recipientsModeProperty: INodeProperties = {
	displayName: 'Recipients Input',
	name: 'recipientsMode',
	type: 'options',
	options: [
		{
			name: 'Enter Manually',
			value: 'manual',
			description: "List the recipients; map an item's values with expressions",
		},
		{
			name: 'From Input Fields',
			value: RECIPIENTS_FROM_FIELDS,
			description:
				'Name the item fields that hold the recipients; no expression runs per item, so large lists go fastest',
		},
	],
	default: 'manual',
};

export const recipientFieldsProperty: INodeProperties = {
	displayName: 'Recipient Fields',
	name: 'recipientFields',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Recipient Field',
	default: { field: [{ type: 'IDNP', name: 'idnp' }] },
	required: true,
	description:
		'Which field of each item holds which kind of recipient. A field holding a list (e.g. 300 IDNPs) sends one notification to all of them.',
	displayOptions: { show: { recipientsMode: [RECIPIENTS_FROM_FIELDS] } },
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				recipientTypeField,
				{
					displayName: 'Field Name',
					name: 'name',
					type: 'string',
					default: '',
					placeholder: 'e.g. idnp',
					description:
						'The input field holding one value or a list of values; person.idnp reaches into a nested object',
				},
			],
		},
	],
};

/** The recipients read from the item's fields (Recipients Input › From Input Fields). */
export function recipientsFromFields(
	parameters: NodeParameters,
	itemIndex: number,
): RecipientIdentifier[] {
	const fields = parameters.read<Array<{ type?: unknown; name?: unknown }>>(
		'recipientFields.field',
		itemIndex,
		[],
	);
	const json = inputJson(parameters.context, itemIndex);
	return fields.flatMap((field, index) => {
		const setting = `Recipient Fields › Field ${index + 1}`;
		const name = requireText(field.name, `${setting} › Field Name`).trim();
		return recipientsInField(field.type as RecipientType, readInputField(json, name, setting), {
			name,
			setting,
		});
	});
}

/** One recipient per value: a field holds one value or a list of them. */
function recipientsInField(
	type: RecipientType,
	value: unknown,
	{ name, setting }: { name: string; setting: string },
): RecipientIdentifier[] {
	const values = Array.isArray(value) ? value : [value];
	if (values.length === 0) {
		throw new InputError(
			setting,
			`The field "${name}" holds an empty list (${setting})`,
			'Every notification needs at least one recipient: leave such items out (e.g. with a Filter node) before this one.',
		);
	}
	return values.map((one, position) => {
		const where = Array.isArray(value) ? `${name}[${position}]` : name;
		const text = textOfField(one, where, setting);
		return { type, value: validateRecipientValue(type, text, `Input field "${where}"`) };
	});
}
