/**
 * Malformed input for every operation's fields, as it arrives in real workflows: mapped from the
 * item by expressions (so it can be any JSON type) or attached as binary data. Each case names
 * the field the error must point at, as the node panel labels it.
 */
import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';

const UUID = '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d';
const MEGABYTE = 1024 * 1024;
/** Past the node's own 1,000,000-character guard for runaway expressions. */
const HUGE = 'a'.repeat(1_000_001);

/** An expression reading one key of the item, with a valid value when the case leaves it out. */
function fromItem(key: string, fallback: unknown): string {
	return `={{ $json.${key} !== undefined ? $json.${key} : ${JSON.stringify(fallback)} }}`;
}

function templateFromItem(): IDataObject {
	return { __rl: true, mode: 'id', value: fromItem('templateId', UUID) };
}

const texts = (required: boolean): IDataObject => ({
	subject: fromItem('subject', required ? 'Aviz' : ''),
	body: fromItem('body', required ? 'Corp' : ''),
	shortBody: fromItem('shortBody', required ? 'Scurt' : ''),
	translations: {
		translation: [
			{
				language: fromItem('language', 'en'),
				subject: fromItem('translatedSubject', ''),
				body: fromItem('translatedBody', ''),
				shortBody: fromItem('translatedShortBody', ''),
			},
		],
	},
});

const sendBase: IDataObject = {
	resource: 'notification',
	operation: 'send',
	recipients: {
		recipient: [
			{ type: fromItem('recipientType', 'IDNP'), value: fromItem('recipient', '2000000000000') },
		],
	},
	priority: fromItem('priority', 'Low'),
	resolutionPolicy: {
		policy: { resolveTo: fromItem('policyType', ''), direction: fromItem('policyDirection', '') },
	},
	options: {
		attachmentProperties: fromItem('attach', ''),
		concurrency: fromItem('concurrency', 4),
		timeoutSeconds: fromItem('timeout', 30),
		waitUntilStatuses: fromItem('waitUntil', ['Delivered']),
	},
};

const listOf = (resource: string): IDataObject => ({
	resource,
	operation: 'getMany',
	returnAll: false,
	limit: fromItem('limit', 10),
	options: {
		page: fromItem('page', 1),
		itemsPerPage: fromItem('itemsPerPage', 10),
		orderField: fromItem('orderField', 'createdAt'),
		searchById: fromItem('searchById', ''),
		timeoutSeconds: fromItem('timeout', 30),
	},
});

/** Every operation, with each field under test mapped from the item. */
export const OPERATIONS = {
	'Notification → Send (texts)': { ...sendBase, contentSource: 'text', ...texts(true) },
	'Notification → Send (template, JSON variables)': {
		...sendBase,
		contentSource: 'template',
		templateId: templateFromItem(),
		variablesMode: 'json',
		variablesJson: fromItem('variables', '{}'),
	},
	'Notification → Send (template, own texts)': {
		...sendBase,
		contentSource: 'template',
		templateId: templateFromItem(),
		templateTexts: 'own',
		...texts(true),
	},
	'Notification → Send (template, variable pairs)': {
		...sendBase,
		contentSource: 'template',
		templateId: templateFromItem(),
		variablesMode: 'keyValue',
		variables: {
			variable: [
				{ name: fromItem('variableName', 'customerName'), value: fromItem('variableValue', 'Ion') },
			],
		},
	},
	'Notification → Send (from input fields)': {
		resource: 'notification',
		operation: 'send',
		recipientsMode: 'fields',
		recipientFields: { field: [{ type: 'IDNP', name: 'idnp' }] },
		contentSource: 'fields',
		priority: 'Low',
	},
	'Notification → Send (template, mapped placeholders)': {
		...sendBase,
		contentSource: 'template',
		templateId: templateFromItem(),
		variablesMode: 'mapper',
		variablesMapping: {
			mappingMode: 'defineBelow',
			value: { amount: fromItem('amount', '100') },
			matchingColumns: [],
			schema: [
				{ id: 'amount', displayName: 'amount', type: 'string', required: true, display: true },
			],
		},
	},
	'Notification → Get': {
		resource: 'notification',
		operation: 'get',
		notificationId: { __rl: true, mode: 'id', value: fromItem('id', UUID) },
	},
	'Notification → Cancel': {
		resource: 'notification',
		operation: 'cancel',
		// A plain string, as workflows saved before the locator hold it: still read.
		notificationId: fromItem('id', UUID),
	},
	'Notification → Get Many': listOf('notification'),
	'Template → Create': {
		resource: 'template',
		operation: 'create',
		name: fromItem('name', 'Aviz de plată'),
		description: fromItem('description', 'Aviz anual'),
		...texts(true),
	},
	'Template → Get': { resource: 'template', operation: 'get', templateId: templateFromItem() },
	'Template → Get Many': listOf('template'),
	'Template → Update': {
		resource: 'template',
		operation: 'update',
		templateId: templateFromItem(),
		updateFields: {
			name: fromItem('name', 'Aviz de plată'),
			description: fromItem('description', 'Aviz anual'),
			subject: fromItem('subject', 'Aviz'),
			shortBody: fromItem('shortBody', 'Scurt'),
		},
	},
	'Template → Delete': {
		resource: 'template',
		operation: 'delete',
		templateId: templateFromItem(),
	},
	'Template → Preview': {
		resource: 'template',
		operation: 'preview',
		templateId: templateFromItem(),
		variablesMode: 'json',
		variablesJson: fromItem('variables', '{}'),
		userId: fromItem('userId', ''),
	},
} satisfies Record<string, IDataObject>;

export type OperationName = keyof typeof OPERATIONS;

/** A valid item for an operation: `{}` when every field falls back to a valid value. */
export function validItemFor(operation: OperationName): IDataObject {
	return operation === fromFields ? fieldsItem : {};
}

export interface HostileCase {
	operation: OperationName;
	/** The field as the panel names it: the error must contain this. */
	field: string;
	/** What is wrong with the value, for failure messages. */
	label: string;
	/** The item the field values are mapped from. */
	item: IDataObject;
	binary?: IBinaryKeyData;
	/** Parameters that cannot come from an item (an empty recipient list). */
	parameters?: IDataObject;
	/** The node gets this one wrong today: the bug's id in the report. */
	bug?: string;
}

type BadValues = Array<[label: string, value: unknown]>;

function cases(
	operation: OperationName,
	field: string,
	key: string,
	values: BadValues,
	extra: Partial<HostileCase> & { item?: IDataObject } = {},
): HostileCase[] {
	return values.map(([label, value]) => ({
		operation,
		field,
		label,
		...extra,
		item: { ...extra.item, [key]: value } as IDataObject,
	}));
}

const WRONG_TYPES: BadValues = [
	['an object', { value: 'x' }],
	['a list', ['x']],
	['a boolean', true],
];

const BLANK: BadValues = [
	['empty', ''],
	['spaces only', '   '],
	['tabs and newlines only', '\t\n '],
	['null', null],
];

const IDENTIFIER: BadValues = [
	['12 digits', '200000000000'],
	['14 digits', '20000000000000'],
	['letters', '20000000000AB'],
	['the letter O for zeros', '2OOOOOOOOOOOO'],
	['Arabic-Indic digits', '٢٠٠٠٠٠٠٠٠٠٠٠٠'],
	['full-width digits', '２０００００００００００００'],
	['Devanagari digits', '२००००००००००००'],
	['a number that lost its leading zero', 123456789012],
	['a decimal number', 2000000000000.5],
	['a number in exponent form', 1e21],
	['a negative number', -2000000000000],
	['dashes', '2000-0000-00000'],
	['a leading plus', '+2000000000000'],
	['a zero-width space', '2000000000000\u200b'],
	['SQL appended', "2000000000000' OR '1'='1"],
	['a huge string', HUGE],
	...BLANK,
	...WRONG_TYPES,
];

const EMAIL: BadValues = [
	['no @', 'ion.popescu.example.md'],
	['nothing before @', '@example.md'],
	['nothing after @', 'ion@'],
	['no dot in the domain', 'ion@example'],
	['a one-letter top-level domain', 'ion@example.m'],
	['a trailing dot', 'ion@example.md.'],
	['a space inside', 'ion popescu@example.md'],
	['two @', 'ion@@example.md'],
	['a display name', 'Ion Popescu <ion@example.md>'],
	['two addresses with a comma', 'ion@example.md, ana@example.md'],
	['two addresses with a semicolon', 'ion@example.md;ana@example.md'],
	['a header injected after a newline', 'ion@example.md\nBcc: all@example.md'],
	['quotes', '"ion"@example.md'],
	['(at) instead of @', 'ion(at)example.md'],
	['a number', 42],
	['a huge string', `${HUGE}@example.md`],
	...BLANK,
	...WRONG_TYPES,
];

const TELEPHONE: BadValues = [
	['5 digits', '12345'],
	['7 digits', '+3736912'],
	['16 digits', '+3736912345678901'],
	['two plus signs', '++37369123456'],
	['letters', '+373 69 ABC 456'],
	['an extension', '+37369123456 ext 2'],
	['slashes', '069/123/456'],
	['a plus at the end', '37369123456+'],
	['only a plus', '+'],
	['Arabic-Indic digits', '٠٦٩١٢٣٤٥٦٧'],
	...BLANK,
	...WRONG_TYPES,
];

const IDS: BadValues = [
	['empty', ''],
	['spaces only', '   '],
	['a parent path', '../'],
	['an encoded parent path', '%2e%2e'],
	['encoded slashes', '..%2f..%2fapi%2ftemplate'],
	['an ID then a parent path', `${UUID}/../x`],
	['a parent path then an ID', `../${UUID}`],
	['an ID with a query', `${UUID}?Page=1`],
	['an ID with a fragment', `${UUID}#x`],
	['an ID with a sub-resource', `${UUID}/check`],
	['an ID with an encoded slash', `${UUID}%2F..`],
	['a space inside', '9d87c5a4-3b6e 4f0a-9c2d-1e5f7a8b9c0d'],
	['a newline and a path inside', `${UUID}\n/x`],
	['braces', `{${UUID}}`],
	['no dashes', UUID.replace(/-/g, '')],
	['one digit short', UUID.slice(0, -1)],
	['a letter that is not hex', `g${UUID.slice(1)}`],
	['a number', 42],
	...WRONG_TYPES,
];

function isGiven([, value]: [string, unknown]): boolean {
	return value !== null && !(typeof value === 'string' && value.trim() === '');
}

/** Search By ID is optional: only its non-empty bad values are mistakes. */
const SEARCH_IDS = IDS.filter(([, value]) => value !== '');

const SHORT_TEXT: BadValues = [...BLANK, ...WRONG_TYPES, ['a huge string', HUGE]];

const VARIABLES_JSON: BadValues = [
	['broken JSON', '{"customerName": "Ion"'],
	['a JSON list', '[1, 2]'],
	['a JSON string', '"Ion"'],
	['a JSON number', '42'],
	['a JSON boolean', 'true'],
	['not JSON at all', 'customerName=Ion'],
	['a list from an expression', ['Ion']],
	['a boolean from an expression', false],
];

const PAGE_NUMBERS: BadValues = [
	['zero', 0],
	['negative', -1],
	['a fraction', 1.5],
	['a word', 'first'],
	...WRONG_TYPES,
];

function binaryFile(fileName: string | undefined, bytes: number): IBinaryKeyData[string] {
	return {
		data: Buffer.alloc(bytes, 1).toString('base64'),
		mimeType: 'application/octet-stream',
		...(fileName === undefined ? {} : { fileName }),
	};
}

const FORBIDDEN_FILE_NAMES: BadValues = [
	['an .exe', 'setup.exe'],
	['a .docx', 'decizie.docx'],
	['an .xlsx', 'lista.xlsx'],
	['a .zip', 'acte.zip'],
	['an .html', 'pagina.html'],
	['an .svg', 'sigla.svg'],
	['a .js', 'script.js'],
	['a .bat', 'run.bat'],
	['a .gif', 'imagine.gif'],
	['a .tar.gz', 'arhiva.tar.gz'],
	['a .pdf.exe', 'factura.pdf.exe'],
	['no extension', 'factura'],
	['a trailing dot', 'factura.'],
	['a trailing space after .pdf', 'factura.pdf '],
	['a NUL', 'factura\u0000.pdf'],
	['a newline', 'factura\nnoua.pdf'],
	['a parent folder', '../../factura.pdf'],
	['a path', 'acte/factura.pdf'],
	['a Windows path', 'acte\\factura.pdf'],
];

/** Options are checked against the panel's own rules, like any field. */
const TIMEOUTS: BadValues = [
	['text', 'soon'],
	['zero', 0],
	['a negative number', -5],
	...WRONG_TYPES,
];

const send = 'Notification → Send (texts)';
const sendTemplate = 'Notification → Send (template, JSON variables)';
const sendOwnTexts = 'Notification → Send (template, own texts)';
const byId: OperationName[] = ['Notification → Get', 'Notification → Cancel'];
const byTemplate: OperationName[] = [
	'Template → Get',
	'Template → Delete',
	'Template → Update',
	'Template → Preview',
	sendTemplate,
	sendOwnTexts,
];
const lists: OperationName[] = ['Notification → Get Many', 'Template → Get Many'];
const fromFields = 'Notification → Send (from input fields)';
const mappedTemplate = 'Notification → Send (template, mapped placeholders)';
/** A valid item for a send from input fields; each case spoils one field. */
const fieldsItem = { idnp: '2000000000000', subject: 'Aviz', body: 'Corp', shortBody: 'Scurt' };
const recipientValue = 'Recipients › Recipient 1 › Value';

export const HOSTILE_CASES: HostileCase[] = [
	// Recipients
	...cases(send, recipientValue, 'recipient', IDENTIFIER, { item: { recipientType: 'IDNP' } }),
	...cases(send, recipientValue, 'recipient', IDENTIFIER.slice(0, 10), {
		item: { recipientType: 'IDNO' },
	}),
	...cases(send, recipientValue, 'recipient', EMAIL, { item: { recipientType: 'Email' } }),
	...cases(send, recipientValue, 'recipient', [['an empty domain label', 'ion@example..md']], {
		item: { recipientType: 'Email' },
		bug: 'B8',
	}),
	...cases(send, recipientValue, 'recipient', TELEPHONE, { item: { recipientType: 'Telephone' } }),
	...cases(send, 'Recipients › Recipient 1 › Type', 'recipientType', [
		['Phone', 'Phone'],
		['SMS', 'SMS'],
		['a channel', 'Viber'],
		['IDNV', 'IDNV'],
		['a trailing space', 'IDNP '],
		['empty', ''],
		['null', null],
		['a number', 1],
		...WRONG_TYPES,
	]),
	{
		operation: send,
		field: 'Recipients',
		label: 'no recipient at all',
		item: {},
		parameters: { recipients: { recipient: [] } },
	},

	// Recipients and texts read from the item's fields (no expression): the field is named
	...cases(
		fromFields,
		'Input field "idnp"',
		'idnp',
		[
			...IDENTIFIER.filter(([, value]) => ['string', 'number'].includes(typeof value)),
			['empty', ''],
			['spaces only', '   '],
		],
		{
			item: fieldsItem,
		},
	),
	...cases(
		fromFields,
		'Input field "idnp[1]"',
		'idnp',
		[['a bad second IDNP in a list', ['2000000000000', '123']]],
		{
			item: fieldsItem,
		},
	),
	...cases(
		fromFields,
		'Recipient Fields › Field 1',
		'idnp',
		[
			['null', null],
			['an object', { value: '2000000000000' }],
			['a boolean', true],
			['an empty list', []],
			['a list holding an object', [{ idnp: '2000000000000' }]],
		],
		{ item: fieldsItem },
	),
	...cases(
		fromFields,
		'Recipient Fields › Field 1',
		'IDNP',
		[['the field under another case', '2000000000000']],
		{
			item: { ...fieldsItem, idnp: undefined },
		},
	),
	...cases(
		fromFields,
		'Subject',
		'subject',
		[
			['empty', ''],
			['42 characters', 's'.repeat(42)],
			['a huge string', HUGE],
		],
		{
			item: fieldsItem,
		},
	),
	...cases(fromFields, 'Subject Field', 'subject', [['null', null], ...WRONG_TYPES], {
		item: fieldsItem,
	}),
	...cases(fromFields, 'Short Body Field', 'shortBody', WRONG_TYPES, { item: fieldsItem }),
	...cases(mappedTemplate, 'Variables › amount', 'amount', WRONG_TYPES.slice(0, 2)),

	// Texts: Romanian required, limits, types, translations without Romanian
	...cases(send, 'Subject', 'subject', SHORT_TEXT),
	...cases(send, 'Subject (Romanian)', 'subject', [['42 characters', 's'.repeat(42)]]),
	...cases(send, 'Body', 'body', SHORT_TEXT),
	...cases(send, 'Short Body', 'shortBody', SHORT_TEXT),
	...cases(send, 'Short Body (Romanian)', 'shortBody', [['161 characters', 's'.repeat(161)]]),
	...cases(send, 'Translations › Translation 1 › Language', 'language', [
		['German', 'de'],
		['Romanian again', 'ro'],
		['empty', ''],
		...WRONG_TYPES,
	]),
	...cases(send, 'Subject (English)', 'translatedSubject', [
		['42 characters', 'e'.repeat(42)],
		...WRONG_TYPES,
	]),
	...cases(send, 'Body (Russian)', 'translatedBody', WRONG_TYPES, { item: { language: 'ru' } }),
	...cases(
		send,
		'Short Body (Russian)',
		'translatedShortBody',
		[['161 characters', 'р'.repeat(161)]],
		{
			item: { language: 'ru' },
		},
	),
	// With texts, Romanian is required: a translation cannot stand in for it.
	...cases(send, 'Subject', 'subject', [['only an English subject', '']], {
		item: { translatedSubject: 'Payment notice' },
	}),
	...cases(send, 'Body', 'body', [['only a Russian body', '']], {
		item: { language: 'ru', translatedBody: 'Текст' },
	}),
	...cases(send, 'Short Body', 'shortBody', [['only an English short body', '']], {
		item: { translatedShortBody: 'Due' },
	}),

	// A template send with texts of its own: complete, as without a template.
	...cases(sendOwnTexts, 'Subject', 'subject', SHORT_TEXT),
	...cases(sendOwnTexts, 'Body', 'body', SHORT_TEXT),
	...cases(sendOwnTexts, 'Short Body', 'shortBody', SHORT_TEXT),

	// Priority, resolution policy
	...cases(send, 'Priority', 'priority', [
		['Urgent', 'Urgent'],
		['Lowest', 'Lowest'],
		['empty', ''],
		['a Cyrillic і in High', 'Hіgh'],
		['a trailing space', 'Low '],
		['a number', 1],
		...WRONG_TYPES,
	]),
	...cases(
		send,
		'Resolution Policy › Direction',
		'policyDirection',
		[['CEO', 'CEO'], ['empty while Resolve To is set', ''], ...WRONG_TYPES],
		{ item: { policyType: 'IDNP' }, bug: 'B6' },
	),
	...cases(send, 'Resolution Policy › Resolve To', 'policyType', WRONG_TYPES),
	...cases(
		send,
		'Resolution Policy › Resolve To',
		'policyType',
		[['empty while Direction is set', '']],
		{ item: { policyDirection: 'Administrator' } },
	),
	// An unknown Resolve To value is for MNotify to judge (the docs disagree on the values).

	// Options
	...cases(send, 'Options › Concurrency', 'concurrency', [
		['text', 'many'],
		['zero', 0],
		['33', 33],
		['NaN', Number.NaN],
		...WRONG_TYPES,
	]),
	...cases(send, 'Options › Timeout (Seconds)', 'timeout', TIMEOUTS),
	// Shown, and so read, only when waiting for delivery.
	...cases(
		send,
		'Options › Wait Until Status',
		'waitUntil',
		[
			['a misspelt status', ['Deliverd']],
			['one status as text', 'Delivered'],
		],
		{ parameters: { options: { ...(sendBase.options as IDataObject), waitForDelivery: true } } },
	),

	// Attachments
	...FORBIDDEN_FILE_NAMES.map(([label, fileName]): HostileCase => ({
		operation: send,
		field: 'Attachments',
		label,
		item: { attach: 'data' },
		binary: { data: binaryFile(fileName as string, 10) },
	})),
	{
		operation: send,
		field: 'Attachments',
		label: 'no file name and no extension',
		item: { attach: 'data' },
		binary: { data: binaryFile(undefined, 10) },
	},
	{
		operation: send,
		field: 'Attachments',
		label: 'one file of 10 MB and 1 byte',
		item: { attach: 'data' },
		binary: { data: binaryFile('scan.pdf', 10 * MEGABYTE + 1) },
	},
	{
		operation: send,
		field: 'Attachments',
		label: 'two files of 6 MB',
		item: { attach: 'data, more' },
		binary: { data: binaryFile('a.pdf', 6 * MEGABYTE), more: binaryFile('b.pdf', 6 * MEGABYTE) },
	},
	{
		operation: send,
		field: 'Attachments',
		label: 'a file of 10 MB and 1 byte whose metadata says 10 bytes',
		item: { attach: 'data' },
		binary: { data: { ...binaryFile('scan.pdf', 10 * MEGABYTE + 1), bytes: 10 } },
	},
	{
		operation: send,
		field: 'Attachments',
		label: 'a binary property the item does not have',
		item: { attach: 'data, invoice' },
		binary: { data: binaryFile('a.pdf', 10) },
	},

	// IDs and injected path segments, wherever an ID is used
	...byId.flatMap((operation) => cases(operation, 'Notification', 'id', IDS)),
	...byTemplate.flatMap((operation) => cases(operation, 'Template', 'templateId', IDS)),
	...lists.flatMap((operation) => cases(operation, 'Search By ID', 'searchById', SEARCH_IDS)),

	// Template variables
	...cases(sendTemplate, 'Variables (JSON)', 'variables', VARIABLES_JSON),
	...cases('Template → Preview', 'Variables (JSON)', 'variables', VARIABLES_JSON),
	...cases(
		'Notification → Send (template, variable pairs)',
		'Variables › Variable 1 › Name',
		'variableName',
		[['empty', ''], ['spaces only', '   '], ...WRONG_TYPES],
	),
	// The preview's recipient is optional: blank means "none", not a mistake.
	...cases('Template → Preview', 'Recipient IDNP or IDNO', 'userId', IDENTIFIER.filter(isGiven)),

	// List options
	...lists.flatMap((operation) => [
		...cases(operation, 'Start Page', 'page', PAGE_NUMBERS, { bug: 'B6' }),
		...cases(operation, 'Items Per Page', 'itemsPerPage', PAGE_NUMBERS),
		...cases(
			operation,
			'Items Per Page',
			'itemsPerPage',
			[
				['101', 101],
				['1000', 1000],
			],
			{
				bug: 'B4',
			},
		),
		...cases(operation, 'Limit', 'limit', [...PAGE_NUMBERS], { bug: 'B4' }),
		...cases(operation, 'Options › Timeout (Seconds)', 'timeout', TIMEOUTS),
		...cases(operation, 'Order By', 'orderField', [
			['a direction appended', 'createdAt desc'],
			['a dash', 'created-at'],
			['a semicolon', 'createdAt;drop'],
			['a leading digit', '1createdAt'],
			...WRONG_TYPES,
		]),
	]),

	// Template fields
	...cases('Template → Create', 'Name', 'name', [...SHORT_TEXT, ['51 characters', 'n'.repeat(51)]]),
	...cases('Template → Create', 'Description', 'description', [...BLANK, ...WRONG_TYPES]),
	...cases('Template → Create', 'Subject', 'subject', SHORT_TEXT),
	...cases('Template → Create', 'Subject (Romanian)', 'subject', [
		['42 characters', 's'.repeat(42)],
	]),
	...cases('Template → Create', 'Body', 'body', SHORT_TEXT),
	...cases('Template → Create', 'Short Body', 'shortBody', SHORT_TEXT),
	...cases('Template → Create', 'Short Body (Romanian)', 'shortBody', [
		['161 characters', 's'.repeat(161)],
	]),
	// Every text of a template is required in Romanian: a translation cannot stand in for it.
	...cases(
		'Template → Create',
		'Short Body',
		'translatedShortBody',
		[['only a Russian short body', 'Текст']],
		{ item: { language: 'ru', shortBody: '' } },
	),
	...cases(
		'Template → Update',
		'Name',
		'name',
		[['51 characters', 'n'.repeat(51)], ...WRONG_TYPES],
		{
			bug: 'B7',
		},
	),
	...cases(
		'Template → Update',
		'Subject (Romanian)',
		'subject',
		[['42 characters', 's'.repeat(42)]],
		{
			bug: 'B7',
		},
	),
	...cases(
		'Template → Update',
		'Short Body (Romanian)',
		'shortBody',
		[['161 characters', 's'.repeat(161)]],
		{
			bug: 'B7',
		},
	),
	// In Update Fields, null means "keep the current value"; a blank text would clear a required field.
	...cases(
		'Template → Update',
		'Description',
		'description',
		[...BLANK.filter(([, value]) => value !== null), ...WRONG_TYPES],
		{
			bug: 'B7',
		},
	),
];
