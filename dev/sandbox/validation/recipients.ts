/** Recipient identifiers: type (case-insensitive, D4) and a value valid for that type. */
import { RECIPIENT_TYPES, type Recipient, type RecipientType } from '../model';
import { isPlainObject } from '../wire';
import { type FieldErrorCollector, isNonBlankString, requiredMessage } from './fieldErrors';

const VALUE_RULES: Record<RecipientType, { pattern: RegExp; expectation: string }> = {
	IDNP: { pattern: /^\d{13}$/, expectation: 'an IDNP of exactly 13 digits' },
	IDNO: { pattern: /^\d{13}$/, expectation: 'an IDNO of exactly 13 digits' },
	Email: { pattern: /^[^\s@]+@[^\s@]+\.[^\s@]+$/, expectation: 'an e-mail address like x@y.z' },
	Telephone: {
		pattern: /^\+?\d{8,15}$/,
		expectation: "a phone number of 8 to 15 digits, optionally starting with '+'",
	},
};

export function canonicalRecipientType(value: unknown): RecipientType | undefined {
	if (typeof value !== 'string') return undefined;
	return RECIPIENT_TYPES.find((type) => type.toLowerCase() === value.toLowerCase());
}

function readRecipient(
	value: unknown,
	path: string,
	errors: FieldErrorCollector,
): Recipient | undefined {
	if (!isPlainObject(value)) {
		errors.add(path, `${path} must be an object { "type", "value" }.`);
		return undefined;
	}
	const type = canonicalRecipientType(value.type);
	if (value.type === undefined || value.type === null) {
		errors.add(`${path}.Type`, requiredMessage(`${path}.Type`));
	} else if (type === undefined) {
		errors.add(
			`${path}.Type`,
			`'${String(value.type)}' is not a recipient type. Use one of: ${RECIPIENT_TYPES.join(', ')}.`,
		);
	}
	if (!isNonBlankString(value.value)) {
		errors.add(`${path}.Value`, requiredMessage(`${path}.Value`));
		return undefined;
	}
	if (type === undefined) return undefined;
	if (!VALUE_RULES[type].pattern.test(value.value)) {
		errors.add(
			`${path}.Value`,
			`'${value.value}' is not a valid ${type} value: expected ${VALUE_RULES[type].expectation}.`,
		);
		return undefined;
	}
	return { type, value: value.value };
}

export function readRecipients(value: unknown, errors: FieldErrorCollector): Recipient[] {
	if (value === undefined || value === null) {
		errors.add('Recipients', requiredMessage('Recipients'));
		return [];
	}
	if (!Array.isArray(value)) {
		errors.add('Recipients', 'Recipients must be an array of { "type", "value" } objects.');
		return [];
	}
	if (value.length === 0) {
		errors.add('Recipients', 'At least one recipient is required.');
		return [];
	}
	return value
		.map((item, index) => readRecipient(item, `Recipients[${index}]`, errors))
		.filter((recipient): recipient is Recipient => recipient !== undefined);
}
