/**
 * The checks every field uses, the error they throw, how values are shown in messages, and the
 * check of an options collection against the panel's description of its options.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { LIMITS, UUID_PATTERN } from './interfaces';

/**
 * Bad input found before anything is sent. `field` is the name the user sees in the node panel,
 * so the router can say which field of which item to fix.
 */
export class InputError extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'InputError';
	}
}

/**
 * Reads a value that should be text. Expressions can hand us numbers (an IDNP typed as a number)
 * which are fine, but objects, arrays and booleans are mistakes worth naming.
 */
export function requireText(value: unknown, field: string, { optional = false } = {}): string {
	if (value === undefined || value === null || value === '') {
		if (optional) return '';
		throw new InputError(field, `${field} is empty`, `Fill in ${field}.`);
	}
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value !== 'string') {
		throw new InputError(
			field,
			`${field} must be text, but the expression gave ${describeValue(value)}`,
			'Map a single text value into this field, e.g. {{ $json.email }}, not a whole object or list.',
		);
	}
	if (value.length > LIMITS.textLength) {
		throw new InputError(
			field,
			`${field} is ${value.length} characters long`,
			`Keep it under ${LIMITS.textLength} characters.`,
		);
	}
	if (!optional && value.trim() === '') {
		throw new InputError(field, `${field} is empty`, `Fill in ${field}.`);
	}
	return value;
}

/** An object as n8n's item JSON must be: not null, not a list. */
export function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as messages name it: "a list", "an object", "null", "nothing", 'text ("…")', "a number (5)". */
export function describeValue(value: unknown): string {
	if (value === null) return 'null';
	if (value === undefined) return 'nothing';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return `text ("${preview(value)}")`;
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value} (${String(value)})`;
}

export function validateUuid(raw: unknown, field: string): string {
	const value = requireText(raw, field).trim();
	if (!UUID_PATTERN.test(value)) {
		throw new InputError(
			field,
			`${field} "${preview(value)}" is not a valid ID`,
			'MNotify IDs are UUIDs like 9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d. Map the ID returned by Send or Get Many.',
		);
	}
	return value.toLowerCase();
}

export function validateMaxLength(value: string, max: number, field: string, why: string): void {
	if (value.length > max) {
		throw new InputError(
			field,
			`${field} has ${value.length} characters; MNotify allows at most ${max}`,
			`Shorten it: ${why}.`,
		);
	}
}

/** How much of a value a message quotes by default. */
const PREVIEW_LENGTH = 40;

/** Shows user data (or an answer) in messages without flooding them: cut at `max`, with "…". */
export function preview(value: string, max = PREVIEW_LENGTH): string {
	return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** "A, B or C": the allowed values of a list, for hints. */
export function listInWords(values: readonly string[]): string {
	return values.length < 2
		? values.join('')
		: `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

export function positiveInteger(raw: unknown, field: string, max = Infinity): number {
	const value = typeof raw === 'string' ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
		const range = max === Infinity ? '1 or more' : `from 1 to ${max}`;
		throw new InputError(
			field,
			`${field} must be a whole number ${range}`,
			`Set ${field} to ${range}.`,
		);
	}
	return value;
}

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
