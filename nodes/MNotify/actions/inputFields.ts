import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { describeValue, InputError } from '../helpers/checks';

/**
 * The "From Input Fields" modes: the user names a field once and the node reads it from every
 * item's JSON. n8n evaluates an expression anew for every item, at a cost that dominates a fast
 * send; reading `item.json` costs next to nothing.
 */
export function inputJson(context: IExecuteFunctions, itemIndex: number): IDataObject {
	return context.getInputData()[itemIndex]?.json ?? {};
}

/**
 * The value of a field of the item. A dotted name such as `person.idnp` reaches into nested
 * objects, unless the item has a field with exactly that name. Missing or null: an error naming
 * the field and the panel setting that named it.
 */
export function readInputField(json: IDataObject, name: string, setting: string): unknown {
	const value = Object.hasOwn(json, name) ? json[name] : valueAtPath(json, name.split('.'));
	if (value === undefined || value === null) {
		throw new InputError(
			setting,
			`The item has no field "${name}" (${setting})`,
			`Give every item the field "${name}", or set ${setting} to the name of the field that holds the value.`,
		);
	}
	return value;
}

/** Own fields only: a name like `constructor` or `__proto__` is not a field of the item. */
function valueAtPath(json: IDataObject, path: string[]): unknown {
	let value: unknown = json;
	for (const key of path) {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
		if (!Object.hasOwn(value, key)) return undefined;
		value = (value as IDataObject)[key];
	}
	return value;
}

/** Text (or a number, e.g. an IDNP stored as one) from a field; anything else is named. */
export function textOfField(value: unknown, name: string, setting: string): string {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw new InputError(
		setting,
		`The field "${name}" holds ${describeValue(value)}, not text (${setting})`,
		`Point ${setting} at a field that holds text, or reshape the items first (e.g. with an Edit Fields node).`,
	);
}
