import { checkAttachments } from '../../nodes/MNotify/helpers/attachments';
import {
	buildContent,
	buildNotificationRequest,
	buildTemplateRequest,
	serializeTemplateVariables,
	storedTexts,
} from '../../nodes/MNotify/helpers/content';
import { buildListQuery } from '../../nodes/MNotify/helpers/listQueries';
import { buildRecipients, buildResolutionPolicy } from '../../nodes/MNotify/helpers/recipients';
import { InputError } from '../../nodes/MNotify/helpers/checks';

const texts = { subject: 'Titlu', body: '<p>Text</p>', shortBody: 'Scurt' };

describe('buildNotificationRequest', () => {
	it('builds the wire request with camelCase fields and enum strings', () => {
		const request = buildNotificationRequest({
			recipients: [
				{ type: 'IDNP', value: '2000000000000' },
				{ type: 'email', value: 'a@b.md' },
			],
			priority: 'medium',
			content: {
				...texts,
				translations: [{ language: 'ru', subject: 'Заголовок', body: 'Текст', shortBody: '' }],
			},
			resolutionPolicy: buildResolutionPolicy('IDNP', 'Administrator'),
		});
		expect(request).toEqual({
			priority: 'Medium',
			recipients: [
				{ type: 'IDNP', value: '2000000000000' },
				{ type: 'Email', value: 'a@b.md' },
			],
			subject: { ro: 'Titlu', ru: 'Заголовок' },
			body: { ro: '<p>Text</p>', ru: 'Текст' },
			bodyShort: { ro: 'Scurt' },
			resolutionPolicy: { type: 'IDNP', parameters: { direction: 'Administrator' } },
		});
	});

	it('sends a template reference with variables as a JSON string, without texts', () => {
		const variables = serializeTemplateVariables(
			'keyValue',
			[{ name: 'customerName', value: 'Ion' }],
			undefined,
		);
		const request = buildNotificationRequest({
			recipients: [{ type: 'IDNP', value: '2000000000000' }],
			priority: 'Low',
			template: { id: 'DE4EA3DA-BC02-4BC3-9C0D-16A0E64A06FF', variables },
		});
		expect(request).toEqual({
			priority: 'Low',
			recipients: [{ type: 'IDNP', value: '2000000000000' }],
			template: {
				id: 'de4ea3da-bc02-4bc3-9c0d-16a0e64a06ff',
				variables: '{"customerName":"Ion"}',
			},
		});
	});

	it.each([
		[{ ...texts, subject: '' }, 'Subject'],
		[{ ...texts, body: '   ' }, 'Body'],
		[{ ...texts, shortBody: undefined }, 'Short Body'],
		[{ ...texts, subject: 'x'.repeat(42) }, 'Subject (Romanian)'],
		[{ ...texts, shortBody: 'x'.repeat(161) }, 'Short Body (Romanian)'],
		[
			{ ...texts, translations: [{ language: 'en', subject: 'y'.repeat(42) }] },
			'Subject (English)',
		],
		[
			{ ...texts, translations: [{ language: 'de', subject: 'Titel' }] },
			'Translations › Translation 1 › Language',
		],
	])('rejects bad content, naming the field %#', (content, field) => {
		expect(() =>
			buildNotificationRequest({
				recipients: [{ type: 'IDNP', value: '2000000000000' }],
				priority: 'Low',
				content,
			}),
		).toThrow(expect.objectContaining({ field }) as InputError);
	});

	it('accepts a subject of exactly 41 characters and a short body of exactly 160', () => {
		const content = buildContent(
			{ ...texts, subject: 's'.repeat(41), shortBody: 'b'.repeat(160) },
			['subject'],
		);
		expect(content.subject.ro).toHaveLength(41);
		expect(content.bodyShort?.ro).toHaveLength(160);
	});

	it('requires at least one recipient and a known type', () => {
		expect(() => buildRecipients([])).toThrow(expect.objectContaining({ field: 'Recipients' }));
		expect(() => buildRecipients([{ type: 'Fax', value: '1' }])).toThrow(
			expect.objectContaining({ field: 'Recipients › Recipient 1 › Type' }),
		);
	});

	it('rejects an unknown priority', () => {
		expect(() =>
			buildNotificationRequest({
				recipients: [{ type: 'IDNP', value: '2000000000000' }],
				priority: 'Urgent',
				content: texts,
			}),
		).toThrow(expect.objectContaining({ field: 'Priority' }));
	});
});

describe('attachments', () => {
	it('accepts allowed extensions up to 10 MB in total', () => {
		expect(() =>
			checkAttachments([
				{ fileName: 'act.PDF', sizeBytes: 5 * 1024 * 1024, source: 'a' },
				{ fileName: 'list.csv', sizeBytes: 5 * 1024 * 1024, source: 'b' },
			]),
		).not.toThrow();
	});

	it('names the file with a forbidden extension', () => {
		expect(() =>
			checkAttachments([
				{ fileName: 'contract.docx', sizeBytes: 10, source: 'binary property "data"' },
			]),
		).toThrow(/"contract.docx" .* \.docx, which MNotify does not accept/);
	});

	it('names the file that takes the total over 10 MB', () => {
		expect(() =>
			checkAttachments([
				{ fileName: 'a.pdf', sizeBytes: 6 * 1024 * 1024, source: 'a' },
				{ fileName: 'b.pdf', sizeBytes: 4 * 1024 * 1024 + 1, source: 'b' },
			]),
		).toThrow(/exceed 10 MB in total when "b.pdf"/);
	});
});

describe('templates and lists', () => {
	it('limits template names to 50 characters', () => {
		expect(() =>
			buildTemplateRequest({ name: 'n'.repeat(51), description: '', content: texts }),
		).toThrow(expect.objectContaining({ field: 'Name' }));
		expect(
			buildTemplateRequest({ name: 'n'.repeat(50), description: 'd', content: texts }),
		).toMatchObject({ name: 'n'.repeat(50), description: 'd', bodyShort: { ro: 'Scurt' } });
	});

	it('builds PascalCase list queries', () => {
		expect(
			buildListQuery({ page: 2, itemsPerPage: 25, orderField: 'createdAt', descending: true }),
		).toEqual({ Page: 2, ItemsPerPage: 25, OrderField: 'createdAt desc' });
		expect(() => buildListQuery({ orderField: 'createdAt; drop' })).toThrow(InputError);
		expect(() => buildListQuery({ page: 0 })).toThrow(/Page must be a whole number/);
	});

	it('serializes JSON variables and drops empty ones', () => {
		expect(serializeTemplateVariables('json', undefined, '{"a":1}')).toBe('{"a":1}');
		expect(serializeTemplateVariables('json', undefined, '{}')).toBeUndefined();
	});
});

describe('resolution policy: both or neither', () => {
	it('builds the policy from Resolve To and Direction, in the spelling MNotify documents', () => {
		expect(buildResolutionPolicy('idnp', 'founder')).toEqual({
			type: 'IDNP',
			parameters: { direction: 'Founder' },
		});
		expect(buildResolutionPolicy('', '  ')).toBeUndefined();
		expect(buildResolutionPolicy(undefined, null)).toBeUndefined();
	});

	it('refuses one without the other, naming the missing field', () => {
		expect(() => buildResolutionPolicy('IDNP', '')).toThrow(
			expect.objectContaining({
				field: 'Resolution Policy › Direction',
				message: 'Resolution Policy resolves to IDNP but has no Direction',
			}),
		);
		expect(() => buildResolutionPolicy('', 'Owner')).toThrow(
			expect.objectContaining({ field: 'Resolution Policy › Resolve To' }),
		);
		expect(() => buildResolutionPolicy('IDNP', 'CEO')).toThrow(
			expect.objectContaining({ field: 'Resolution Policy › Direction' }),
		);
	});

	it('leaves an unlisted Resolve To value for MNotify to judge', () => {
		expect(buildResolutionPolicy('Passport', 'Owner')).toEqual({
			type: 'Passport',
			parameters: { direction: 'Owner' },
		});
	});
});

describe('template texts', () => {
	const complete = { name: 'Aviz', description: 'Anual', content: texts };

	it.each([
		[{ ...complete, description: '' }, 'Description'],
		[{ ...complete, content: { ...texts, body: '' } }, 'Body'],
		[{ ...complete, content: { ...texts, shortBody: '' } }, 'Short Body'],
	])('requires every field of a new template %#', (input, field) => {
		expect(() => buildTemplateRequest(input)).toThrow(expect.objectContaining({ field }));
	});

	it("takes the template's own texts in every language, placeholders untouched", () => {
		const template = {
			name: 'Aviz',
			subject: { ro: 'Plată la {{dueDate}}', en: 'Due {{dueDate}}', ru: 7 },
			body: { ro: '<p>{{amount}} lei</p>' },
			bodyShort: { ro: '{{amount}} lei', ru: '{{amount}} лей' },
			unknownField: true,
		};
		expect(storedTexts(template, 'Aviz')).toEqual({
			subject: { ro: 'Plată la {{dueDate}}', en: 'Due {{dueDate}}' },
			body: { ro: '<p>{{amount}} lei</p>' },
			bodyShort: { ro: '{{amount}} lei', ru: '{{amount}} лей' },
		});
	});

	it('refuses a stored template that lacks a Romanian text or breaks a limit, naming it', () => {
		expect(() => storedTexts({ subject: { ro: 'S' }, body: { en: 'B' } }, 'Vechi')).toThrow(
			/^Template "Vechi" has no body or short body in Romanian$/,
		);
		expect(() =>
			storedTexts(
				{ subject: { ro: 's'.repeat(42) }, body: { ro: 'B' }, bodyShort: { ro: 'b' } },
				'Lung',
			),
		).toThrow(
			expect.objectContaining({
				field: 'Template "Lung" › Subject (Romanian)',
			}),
		);
	});
});
