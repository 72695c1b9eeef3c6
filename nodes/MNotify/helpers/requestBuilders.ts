import type {
	Attachment,
	ContentLanguage,
	Language,
	ListQuery,
	NotificationRequest,
	Priority,
	RecipientIdentifier,
	ResolutionPolicy,
	StoredTemplate,
	TemplateRequest,
} from './interfaces';
import {
	MAX_PAGE_SIZE,
	PRIORITIES,
	RECIPIENT_TYPES,
	RESOLUTION_DIRECTIONS,
	RESOLUTION_TYPES,
} from './interfaces';
import {
	ALLOWED_ATTACHMENT_EXTENSIONS,
	InputError,
	LIMITS,
	attachmentExtension,
	listInWords,
	parseVariablesObject,
	preview,
	requireText,
	validateMaxLength,
	validateRecipientValue,
	validateAttachmentFileName,
	validateUuid,
} from './validation';

const LANGUAGE_NAMES: Record<Language, string> = { ro: 'Romanian', ru: 'Russian', en: 'English' };

/** The three texts of a message in the panel's shape: Romanian fields plus optional translations. */
export interface ContentInput {
	subject: unknown;
	body: unknown;
	shortBody: unknown;
	translations?: Array<{
		language?: unknown;
		subject?: unknown;
		body?: unknown;
		shortBody?: unknown;
	}>;
}

export interface BuiltContent {
	subject: ContentLanguage;
	body?: ContentLanguage;
	bodyShort?: ContentLanguage;
}

type TextPart = 'subject' | 'body' | 'shortBody';
const PART_LABELS: Record<TextPart, string> = {
	subject: 'Subject',
	body: 'Body',
	shortBody: 'Short Body',
};

/**
 * Builds subject/body/bodyShort from the Romanian fields and the translations, checking the
 * lengths MNotify enforces: subject ≤ 41 (e-mail subject), short body ≤ 160 (one SMS). `where`
 * prefixes the field names in errors, for texts that do not come from the panel's fields.
 */
export function buildContent(input: ContentInput, required: TextPart[], where = ''): BuiltContent {
	const texts: Record<TextPart, Partial<Record<Language, string>>> = {
		subject: {},
		body: {},
		shortBody: {},
	};
	for (const part of Object.keys(PART_LABELS) as TextPart[]) {
		const value = requireText(input[part], `${where}${PART_LABELS[part]}`, {
			optional: !required.includes(part),
		});
		if (value !== '') texts[part].ro = value;
	}

	(input.translations ?? []).forEach((translation, index) => {
		const language = translation.language;
		if (language !== 'ru' && language !== 'en') {
			throw new InputError(
				`Translations › Translation ${index + 1} › Language`,
				`Translation ${index + 1} has no valid language`,
				'Pick Russian or English.',
			);
		}
		for (const part of Object.keys(PART_LABELS) as TextPart[]) {
			const label = `${where}${PART_LABELS[part]} (${LANGUAGE_NAMES[language]})`;
			const value = requireText(translation[part], label, { optional: true });
			if (value === '') continue;
			if (texts[part].ro === undefined) {
				throw new InputError(
					label,
					`${label} is given but ${PART_LABELS[part]} in Romanian is empty`,
					'MNotify requires the Romanian text of every part you send; fill it in first.',
				);
			}
			texts[part][language] = value;
		}
	});

	for (const [language, subject] of Object.entries(texts.subject)) {
		validateMaxLength(
			subject,
			LIMITS.emailSubjectLength,
			`${where}Subject (${LANGUAGE_NAMES[language as Language]})`,
			'MNotify uses it as the e-mail subject, limited to 41 characters',
		);
	}
	for (const [language, text] of Object.entries(texts.shortBody)) {
		validateMaxLength(
			text,
			LIMITS.smsTextLength,
			`${where}Short Body (${LANGUAGE_NAMES[language as Language]})`,
			'it is sent as one SMS or instant message, limited to 160 characters',
		);
	}

	return {
		subject: texts.subject as ContentLanguage,
		body: texts.body.ro === undefined ? undefined : (texts.body as ContentLanguage),
		bodyShort: texts.shortBody.ro === undefined ? undefined : (texts.shortBody as ContentLanguage),
	};
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

/** `template.variables` must be a JSON object serialized into a string (§5.2). */
export function serializeTemplateVariables(
	mode: 'keyValue' | 'json',
	pairs: Array<{ name?: unknown; value?: unknown }> | undefined,
	json: unknown,
	field = 'Variables',
): string | undefined {
	let variables: Record<string, unknown>;
	if (mode === 'json') {
		variables = parseVariablesObject(json, `${field} (JSON)`);
	} else {
		// No prototype: a variable named "__proto__" is data like any other, not dropped.
		variables = Object.create(null) as Record<string, unknown>;
		(pairs ?? []).forEach((pair, index) => {
			const name = requireText(pair.name, `${field} › Variable ${index + 1} › Name`).trim();
			variables[name] = pair.value ?? '';
		});
	}
	return Object.keys(variables).length === 0 ? undefined : JSON.stringify(variables);
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

export interface AttachmentFile {
	fileName: string;
	sizeBytes: number;
	/** Where the file came from, for the message: e.g. binary property "data". */
	source: string;
}

/** Checks names, extensions and the 10 MB total before anything is read into base64. */
export function checkAttachments(files: AttachmentFile[]): void {
	let total = 0;
	for (const file of files) {
		const field = `Attachments › ${file.source}`;
		validateAttachmentFileName(file.fileName, field, file.source);
		const extension = attachmentExtension(file.fileName);
		if (!ALLOWED_ATTACHMENT_EXTENSIONS.includes(extension)) {
			throw new InputError(
				field,
				`Attachment "${file.fileName}" (${file.source}) has ${extension ? `the extension ${extension}` : 'no extension'}, which MNotify does not accept`,
				`Allowed: ${ALLOWED_ATTACHMENT_EXTENSIONS.join(' ')}. Convert the file or rename it if its content really is of one of these types.`,
			);
		}
		total += file.sizeBytes;
		if (total > LIMITS.attachmentsTotalBytes) throw attachmentsTooLarge(file, field);
	}
}

/**
 * The 10 MB total on the bytes actually read: n8n's `bytes` metadata (used for the early check)
 * can be wrong, and nothing larger may leave.
 */
export function checkAttachmentBytes(files: Array<AttachmentFile & { bytesRead: number }>): void {
	let total = 0;
	for (const file of files) {
		total += file.bytesRead;
		if (total > LIMITS.attachmentsTotalBytes) {
			throw attachmentsTooLarge(
				{ ...file, sizeBytes: file.bytesRead },
				`Attachments › ${file.source}`,
			);
		}
	}
}

function attachmentsTooLarge(file: AttachmentFile, field: string): InputError {
	return new InputError(
		field,
		`Attachments exceed 10 MB in total when "${file.fileName}" (${file.source}, ${formatBytes(file.sizeBytes)}) is added`,
		'MNotify accepts at most 10 MB of attachments per notification. Send fewer or smaller files.',
	);
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface SendInput {
	recipients: Array<{ type?: unknown; value?: unknown }> | undefined;
	priority: unknown;
	/** The texts; with a template they may be left out, to be filled from it (see storedTexts). */
	content?: ContentInput;
	template?: { id: unknown; variables?: string };
	resolutionPolicy?: ResolutionPolicy;
	attachments?: Attachment[];
}

const ALL_PARTS: TextPart[] = ['subject', 'body', 'shortBody'];

/**
 * The wire request. Texts given are always complete (subject, body and short body in Romanian):
 * every send carries them, template or not (docs/contract.md §12). A template send without texts
 * gets the template's own (storedTexts) before it leaves.
 */
export function buildNotificationRequest(input: SendInput): NotificationRequest {
	const request: NotificationRequest = {
		priority: buildPriority(input.priority),
		recipients: buildRecipients(input.recipients),
	};
	if (input.template) {
		request.template = { id: validateUuid(input.template.id, 'Template') };
		if (input.template.variables) request.template.variables = input.template.variables;
	} else if (!input.content) {
		throw new InputError('Content', 'No content was given', 'Write the texts or pick a template.');
	}
	if (input.content) Object.assign(request, buildContent(input.content, ALL_PARTS));
	if (input.resolutionPolicy) request.resolutionPolicy = input.resolutionPolicy;
	if (input.attachments?.length) request.attachments = input.attachments;
	return request;
}

/**
 * The template's own texts, every language it has, placeholders left for MNotify to fill. A
 * template without one of the three Romanian texts, or over a limit, cannot be sent as it is:
 * say so before anything is sent.
 */
export function storedTexts(template: StoredTemplate, templateName: string): BuiltContent {
	const text = (part: 'subject' | 'body' | 'bodyShort', language: Language) => {
		const value = template[part]?.[language];
		return typeof value === 'string' ? value : '';
	};
	const fix =
		'MNotify wants a subject, body and short body in Romanian on every send. Complete the template with Template → Update, or set Texts to "Write My Own Texts".';
	const missing = STORED_PARTS.filter(({ part }) => text(part, 'ro').trim() === '');
	if (missing.length > 0) {
		throw new InputError(
			'Template',
			`Template "${templateName}" has no ${listInWords(missing.map(({ words }) => words))} in Romanian`,
			fix,
		);
	}
	return buildContent(
		{
			subject: text('subject', 'ro'),
			body: text('body', 'ro'),
			shortBody: text('bodyShort', 'ro'),
			translations: (['ru', 'en'] as const).map((language) => ({
				language,
				subject: text('subject', language),
				body: text('body', language),
				shortBody: text('bodyShort', language),
			})),
		},
		ALL_PARTS,
		`Template "${templateName}" › `,
	);
}

const STORED_PARTS = [
	{ part: 'subject', words: 'subject' },
	{ part: 'body', words: 'body' },
	{ part: 'bodyShort', words: 'short body' },
] as const;

/** Every field is required when creating a template (docs/contract.md §5.4, strictest reading). */
export function buildTemplateRequest(input: {
	name: unknown;
	description: unknown;
	content: ContentInput;
}): TemplateRequest {
	const name = requireText(input.name, 'Name').trim();
	validateMaxLength(
		name,
		LIMITS.templateNameLength,
		'Name',
		'template names are limited to 50 characters',
	);
	const description = requireText(input.description, 'Description');
	const content = buildContent(input.content, ALL_PARTS);
	return {
		name,
		description,
		subject: content.subject,
		body: content.body as ContentLanguage,
		bodyShort: content.bodyShort as ContentLanguage,
	};
}

export function buildListQuery(options: {
	page?: unknown;
	itemsPerPage?: unknown;
	orderField?: unknown;
	descending?: unknown;
	searchById?: unknown;
}): ListQuery {
	const query: ListQuery = {};
	if (options.page !== undefined) query.Page = positiveInteger(options.page, 'Start Page');
	if (options.itemsPerPage !== undefined) {
		query.ItemsPerPage = positiveInteger(options.itemsPerPage, 'Items Per Page', MAX_PAGE_SIZE);
	}
	const orderField = requireText(options.orderField, 'Order By', { optional: true }).trim();
	if (orderField !== '') {
		if (!/^[A-Za-z][A-Za-z0-9]*$/.test(orderField)) {
			throw new InputError(
				'Order By',
				`Order By "${orderField}" is not a field name`,
				'Use a field of the result such as createdAt or lastUpdatedAt.',
			);
		}
		query.OrderField = options.descending === true ? `${orderField} desc` : orderField;
	}
	const searchBy = requireText(options.searchById, 'Search By ID', { optional: true });
	if (searchBy !== '') query.SearchBy = validateUuid(searchBy, 'Search By ID');
	return query;
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
