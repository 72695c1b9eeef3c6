import { InputError, requireText, validateUuid } from '../../nodes/MNotify/helpers/checks';
import { parseVariablesObject } from '../../nodes/MNotify/helpers/content';
import { validateRecipientValue } from '../../nodes/MNotify/helpers/recipients';

function errorOf(action: () => unknown): InputError {
	try {
		action();
	} catch (error) {
		if (error instanceof InputError) return error;
		throw error;
	}
	throw new Error('Expected an InputError');
}

describe('recipient values', () => {
	it.each([
		['IDNP', '2000000000000', '2000000000000'],
		['IDNP', ' 2000 0000 00000 ', '2000000000000'],
		['IDNO', '1010600034203', '1010600034203'],
		['Email', 'ion.popescu@example.md', 'ion.popescu@example.md'],
		['Telephone', '+373 69 123-456', '+37369123456'],
		['Telephone', '069123456', '069123456'],
	] as const)('accepts %s %p', (type, value, sent) => {
		expect(validateRecipientValue(type, value, 'Value')).toBe(sent);
	});

	it('accepts an IDNP given as a number by an expression', () => {
		expect(validateRecipientValue('IDNP', 2000000000000, 'Value')).toBe('2000000000000');
	});

	it.each([
		['IDNP', '200000000000', /exactly 13 digits/],
		['IDNP', '20000000000001', /exactly 13 digits/],
		['IDNP', '2000000a00000', /exactly 13 digits/],
		['IDNO', '101060003420', /not a valid IDNO/],
		['Email', 'ion.popescu@example', /not a valid e-mail/],
		['Email', 'ion popescu@example.md', /not a valid e-mail/],
		['Telephone', '12345', /not a valid telephone/],
		['Telephone', '+37369abc456', /not a valid telephone/],
	] as const)('rejects %s %p naming the field', (type, value, message) => {
		const error = errorOf(() =>
			validateRecipientValue(type, value, 'Recipients › Recipient 2 › Value'),
		);
		expect(error.message).toMatch(message);
		expect(error.field).toBe('Recipients › Recipient 2 › Value');
		expect(error.message).toContain('Recipients › Recipient 2 › Value');
	});

	it.each([
		[{ idnp: '2000000000000' }, /an object/],
		[['2000000000000'], /a list/],
		[true, /a boolean/],
	])('rejects a non-text value %p from an expression', (value, message) => {
		expect(errorOf(() => validateRecipientValue('IDNP', value, 'Value')).message).toMatch(message);
	});

	it('rejects an empty value', () => {
		expect(errorOf(() => requireText('  ', 'Subject')).message).toBe('Subject is empty');
	});
});

describe('IDs', () => {
	it('accepts a UUID and lowercases it', () => {
		expect(validateUuid(' 9D87C5A4-3B6E-4F0A-9C2D-1E5F7A8B9C0D ', 'ID')).toBe(
			'9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d',
		);
	});

	it.each(['../template', '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d?x=1', '9d87c5a4', '12'])(
		'rejects %p before it can become a path',
		(id) => {
			expect(errorOf(() => validateUuid(id, 'Notification ID')).field).toBe('Notification ID');
		},
	);
});

describe('template variables', () => {
	it('accepts a JSON object or its text', () => {
		expect(parseVariablesObject('{"name":"Ion"}', 'Variables')).toEqual({ name: 'Ion' });
		expect(parseVariablesObject({ name: 'Ion' }, 'Variables')).toEqual({ name: 'Ion' });
	});

	it.each([
		['{name: Ion}', /not valid JSON/],
		['[1,2]', /must be a JSON object, not a list/],
		['"text"', /must be a JSON object, not text \("text"\)/],
	])('rejects %p', (raw, message) => {
		expect(errorOf(() => parseVariablesObject(raw, 'Variables')).message).toMatch(message);
	});
});
