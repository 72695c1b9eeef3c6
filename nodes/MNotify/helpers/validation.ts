import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { UUID_PATTERN, type RecipientType } from './interfaces';

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

export const LIMITS = {
	emailSubjectLength: 41,
	smsTextLength: 160,
	templateNameLength: 50,
	attachmentsTotalBytes: 10 * 1024 * 1024,
	/** Far above any real notification; stops runaway expressions before they reach the network. */
	textLength: 1_000_000,
} as const;

export const ALLOWED_ATTACHMENT_EXTENSIONS = [
	'.jpeg',
	'.jpg',
	'.png',
	'.txt',
	'.pdf',
	'.csv',
	'.xls',
];

const EMAIL_PATTERN = /^[^\s@<>()",;]+@(?:[^\s@<>()",;.]+\.)+[^\s@<>()",;.]{2,}$/;
const THIRTEEN_DIGITS = /^\d{13}$/;
const TELEPHONE_PATTERN = /^\+?\d{8,15}$/;

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
			`${field} must be text, but the expression gave ${describeType(value)}`,
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

function describeType(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Normalizes and checks one recipient value for its type; returns what is sent. */
export function validateRecipientValue(type: RecipientType, raw: unknown, field: string): string {
	const value = requireText(raw, field).trim();
	switch (type) {
		case 'IDNP':
		case 'IDNO': {
			const digits = value.replace(/\s+/g, '');
			if (!THIRTEEN_DIGITS.test(digits)) {
				throw new InputError(
					field,
					`${field} "${preview(value)}" is not a valid ${type}: it must be exactly 13 digits`,
					`An ${type} has 13 digits${type === 'IDNP' ? ' (e.g. 2000000000000)' : ''}. Check the source data; a number that lost a leading zero has 12.`,
				);
			}
			return digits;
		}
		case 'Email':
			if (!EMAIL_PATTERN.test(value)) {
				throw new InputError(
					field,
					`${field} "${preview(value)}" is not a valid e-mail address`,
					'Use the form name@example.md.',
				);
			}
			return value;
		case 'Telephone': {
			const compact = value.replace(/[\s\-().]/g, '');
			if (!TELEPHONE_PATTERN.test(compact)) {
				throw new InputError(
					field,
					`${field} "${preview(value)}" is not a valid telephone number`,
					'Use 8 to 15 digits, optionally starting with +, e.g. +37369123456.',
				);
			}
			return compact;
		}
		default:
			throw new InputError(
				field,
				`Recipient type "${String(type)}" is not supported`,
				'Use IDNP, IDNO, Email or Telephone.',
			);
	}
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

/** Template variables arrive as a JSON object (or its text) and travel as a JSON string. */
export function parseVariablesObject(raw: unknown, field: string): Record<string, unknown> {
	let value = raw;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		value = parseJsonOrUndefined(value);
		if (value === undefined) {
			throw new InputError(
				field,
				`${field} is not valid JSON`,
				'Give a JSON object such as {"customerName": "Ion Popescu"}.',
			);
		}
	}
	if (value === undefined || value === null) return {};
	if (typeof value !== 'object' || Array.isArray(value)) {
		throw new InputError(
			field,
			`${field} must be a JSON object, not ${describeType(value)}`,
			'Give a JSON object such as {"customerName": "Ion Popescu"}.',
		);
	}
	return value as Record<string, unknown>;
}

function parseJsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

/**
 * A file name MNotify can show and a recipient can save: no control characters (NUL included),
 * no path separators and no "..", which could place the file elsewhere on a recipient's disk.
 */
export function validateAttachmentFileName(fileName: string, field: string, source: string): void {
	// eslint-disable-next-line no-control-regex
	const problem = /[\u0000-\u001f\u007f]/.test(fileName)
		? 'a control character'
		: /[/\\]/.test(fileName)
			? 'a path separator'
			: fileName.includes('..')
				? '".."'
				: undefined;
	if (problem) {
		throw new InputError(
			field,
			`Attachment name "${preview(JSON.stringify(fileName).slice(1, -1))}" (${source}) contains ${problem}`,
			"Give the file a plain name such as factura.pdf (e.g. with the Edit Fields node or the binary property's File Name).",
		);
	}
}

export function attachmentExtension(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	return dot === -1 ? '' : fileName.slice(dot).toLowerCase();
}

/** Shows user data in messages without flooding them. */
export function preview(value: string): string {
	return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/** "A, B or C": the allowed values of a list, for hints. */
export function listInWords(values: readonly string[]): string {
	return values.length < 2
		? values.join('')
		: `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
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
					`${field} must be a number ${range}, but it is ${describeType(value)}${typeof value === 'string' ? ` ("${preview(value)}")` : ''}`,
					`Set ${field} to a number ${range}.`,
				);
			}
			return number;
		}
		case 'boolean':
			if (typeof value !== 'boolean') {
				throw new InputError(
					field,
					`${field} must be true or false, not ${describeType(value)}`,
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
					`${field} must be a list, not ${describeType(value)}`,
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
