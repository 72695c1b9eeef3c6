/** Options collections checked against the panel's description of each option. */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { InputError, describeValue, listInWords, preview, requireText } from './checks';

/**
 * Checks an options collection against the panel's own description of each option (type, range,
 * allowed values), so a value mapped by an expression is an input error before anything is
 * sent, as for any other field. Returns the values with numbers given as text turned into numbers.
 */
export function checkOptionValues(
	values: unknown,
	properties: INodeProperties[],
	{ label = 'Options', openChoices = [] as string[] } = {},
): IDataObject {
	if (values === undefined || values === null) return {};
	if (typeof values !== 'object' || Array.isArray(values)) {
		throw new InputError(
			label,
			`${label} must be a collection of options`,
			'Set the options in the node panel.',
		);
	}
	const checked: IDataObject = { ...(values as IDataObject) };
	for (const [name, value] of Object.entries(checked)) {
		const property = properties.find((candidate) => candidate.name === name);
		if (!property || value === undefined) continue;
		const field = `${label} › ${property.displayName}`;
		checked[name] = checkOptionValue(
			value,
			property,
			field,
			openChoices.includes(name),
		) as IDataObject[string];
	}
	return checked;
}

/** `openChoice`: the panel's choices are suggestions; any text may be given (MNotify judges it). */
function checkOptionValue(
	value: unknown,
	property: INodeProperties,
	field: string,
	openChoice: boolean,
): unknown {
	if (openChoice) return requireText(value, field, { optional: true });
	switch (property.type) {
		case 'number': {
			const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
			const min = property.typeOptions?.minValue ?? -Infinity;
			const max = property.typeOptions?.maxValue ?? Infinity;
			if (typeof number !== 'number' || !Number.isFinite(number) || number < min || number > max) {
				const range = max === Infinity ? `${min} or more` : `from ${min} to ${max}`;
				throw new InputError(
					field,
					`${field} must be a number ${range}, but it is ${describeValue(value)}`,
					`Set ${field} to a number ${range}.`,
				);
			}
			return number;
		}
		case 'boolean':
			if (typeof value !== 'boolean') {
				throw new InputError(
					field,
					`${field} must be true or false, not ${describeValue(value)}`,
					`Switch ${field} on or off.`,
				);
			}
			return value;
		case 'options':
		case 'multiOptions': {
			const allowed = (property.options ?? []).map(
				(option) => (option as { value?: unknown }).value,
			);
			const given = property.type === 'multiOptions' && Array.isArray(value) ? value : [value];
			if (property.type === 'multiOptions' && !Array.isArray(value)) {
				throw new InputError(
					field,
					`${field} must be a list, not ${describeValue(value)}`,
					`Pick values from the list of ${field}.`,
				);
			}
			const unknown = given.find((entry) => !allowed.includes(entry));
			if (unknown !== undefined) {
				throw new InputError(
					field,
					`${field} "${preview(String(unknown))}" is not one of its choices`,
					`Use ${listInWords(allowed.map(String))}.`,
				);
			}
			return value;
		}
		case 'string':
			return requireText(value, field, { optional: true });
		default:
			return value;
	}
}
