/** Recipients, the priority and the resolution policy: whom a notification reaches. */
import {
	PRIORITIES,
	type Priority,
	RECIPIENT_TYPES,
	RESOLUTION_DIRECTIONS,
	RESOLUTION_TYPES,
	type RecipientIdentifier,
	type RecipientType,
	type ResolutionPolicy,
} from './interfaces';
import { InputError, listInWords, preview, requireText } from './checks';

const EMAIL_PATTERN = /^[^\s@<>()",;]+@(?:[^\s@<>()",;.]+\.)+[^\s@<>()",;.]{2,}$/;

const THIRTEEN_DIGITS = /^\d{13}$/;

const TELEPHONE_PATTERN = /^\+?\d{8,15}$/;

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

export function buildRecipients(
	raw: Array<{ type?: unknown; value?: unknown }> | undefined,
): RecipientIdentifier[] {
	if (!raw || raw.length === 0) {
		throw new InputError(
			'Recipients',
			'Recipients: no recipient was given',
			'Add at least one recipient (IDNP, IDNO, Email or Telephone).',
		);
	}
	return raw.map((recipient, index) => {
		const field = `Recipients › Recipient ${index + 1}`;
		const type = RECIPIENT_TYPES.find(
			(candidate) => candidate.toLowerCase() === String(recipient.type ?? '').toLowerCase(),
		);
		if (!type) {
			throw new InputError(
				`${field} › Type`,
				`${field} › Type "${String(recipient.type)}" is not supported`,
				`Use ${listInWords(RECIPIENT_TYPES)}.`,
			);
		}
		return { type, value: validateRecipientValue(type, recipient.value, `${field} › Value`) };
	});
}

export function buildPriority(raw: unknown): Priority {
	const priority = PRIORITIES.find(
		(candidate) => candidate.toLowerCase() === String(raw ?? PRIORITIES[0]).toLowerCase(),
	);
	if (!priority) {
		throw new InputError(
			'Priority',
			`Priority "${String(raw)}" is not supported`,
			`Use ${listInWords(PRIORITIES)}.`,
		);
	}
	return priority;
}

/** Field names of the panel's Resolution Policy section, for errors. */
const RESOLUTION_SECTION = 'Resolution Policy';

const RESOLVE_TO_FIELD = `${RESOLUTION_SECTION} › Resolve To`;

const DIRECTION_FIELD = `${RESOLUTION_SECTION} › Direction`;

/**
 * A resolution policy needs both what to resolve to and whom to notify (docs/contract.md §5.3):
 * both or neither. One without the other is refused rather than dropped, since dropping it
 * would notify the recipients themselves instead of the people behind them.
 */
export function buildResolutionPolicy(
	type: unknown,
	direction: unknown,
): ResolutionPolicy | undefined {
	const resolveTo = requireText(type, RESOLVE_TO_FIELD, { optional: true }).trim();
	const directionText = requireText(direction, DIRECTION_FIELD, { optional: true }).trim();
	if (resolveTo === '' && directionText === '') return undefined;
	if (directionText === '') {
		throw new InputError(
			DIRECTION_FIELD,
			`${RESOLUTION_SECTION} resolves to ${resolveTo} but has no Direction`,
			`Choose whom MNotify notifies (${listInWords(RESOLUTION_DIRECTIONS)}), or remove the resolution policy to notify the recipients themselves.`,
		);
	}
	const policyDirection = RESOLUTION_DIRECTIONS.find(
		(candidate) => candidate.toLowerCase() === directionText.toLowerCase(),
	);
	if (!policyDirection) {
		throw new InputError(
			DIRECTION_FIELD,
			`${DIRECTION_FIELD} "${preview(directionText)}" is not supported`,
			`Use ${listInWords(RESOLUTION_DIRECTIONS)}.`,
		);
	}
	if (resolveTo === '') {
		throw new InputError(
			RESOLVE_TO_FIELD,
			`${RESOLUTION_SECTION} has the Direction ${policyDirection} but nothing to resolve to`,
			`Choose what MNotify resolves each recipient to (usually IDNP: the people behind a company's IDNO), or remove the resolution policy.`,
		);
	}
	// Other values are MNotify's to judge: the sources list different ones (docs/contract.md §9).
	const known = RESOLUTION_TYPES.find(
		(candidate) => candidate.toLowerCase() === resolveTo.toLowerCase(),
	);
	return { type: known ?? resolveTo, parameters: { direction: policyDirection } };
}
