import type {
	Attachment,
	ContentLanguage,
	Language,
	ListQuery,
	NotificationRequest,
	Priority,
	RecipientIdentifier,
	ResolutionPolicy,
	TemplateRequest,
} from './interfaces';
import { MAX_PAGE_SIZE, PRIORITIES, RECIPIENT_TYPES, RESOLUTION_DIRECTIONS } from './interfaces';
import {
	ALLOWED_ATTACHMENT_EXTENSIONS,
	InputError,
	LIMITS,
	attachmentExtension,
	listInWords,
	parseVariablesObject,
	requireText,
	validateMaxLength,
	validateRecipientValue,
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
 * lengths MNotify enforces: subject ≤ 41 (e-mail subject), short body ≤ 160 (one SMS).
 */
export function buildContent(input: ContentInput, required: TextPart[]): BuiltContent {
	const texts: Record<TextPart, Partial<Record<Language, string>>> = {
		subject: {},
		body: {},
		shortBody: {},
	};
	for (const part of Object.keys(PART_LABELS) as TextPart[]) {
		const value = requireText(input[part], PART_LABELS[part], {
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
			const label = `${PART_LABELS[part]} (${LANGUAGE_NAMES[language]})`;
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
			`Subject (${LANGUAGE_NAMES[language as Language]})`,
			'MNotify uses it as the e-mail subject, limited to 41 characters',
		);
	}
	for (const [language, text] of Object.entries(texts.shortBody)) {
		validateMaxLength(
			text,
			LIMITS.smsTextLength,
			`Short Body (${LANGUAGE_NAMES[language as Language]})`,
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
		variables = {};
		(pairs ?? []).forEach((pair, index) => {
			const name = requireText(pair.name, `${field} › Variable ${index + 1} › Name`).trim();
			variables[name] = pair.value ?? '';
		});
	}
	return Object.keys(variables).length === 0 ? undefined : JSON.stringify(variables);
}

export function buildResolutionPolicy(
	type: unknown,
	direction: unknown,
): ResolutionPolicy | undefined {
	const policyType = requireText(type, 'Resolution Policy', { optional: true }).trim();
	if (policyType === '') return undefined;
	const policyDirection = requireText(direction, 'Resolution Direction', { optional: true }).trim();
	if (policyDirection === '') return { type: policyType };
	if (!(RESOLUTION_DIRECTIONS as readonly string[]).includes(policyDirection)) {
		throw new InputError(
			'Resolution Direction',
			`Resolution Direction "${policyDirection}" is not supported`,
			`Use ${listInWords(RESOLUTION_DIRECTIONS)}.`,
		);
	}
	return { type: policyType, parameters: { direction: policyDirection } };
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
		const extension = attachmentExtension(file.fileName);
		if (!ALLOWED_ATTACHMENT_EXTENSIONS.includes(extension)) {
			throw new InputError(
				field,
				`Attachment "${file.fileName}" (${file.source}) has ${extension ? `the extension ${extension}` : 'no extension'}, which MNotify does not accept`,
				`Allowed: ${ALLOWED_ATTACHMENT_EXTENSIONS.join(' ')}. Convert the file or rename it if its content really is of one of these types.`,
			);
		}
		total += file.sizeBytes;
		if (total > LIMITS.attachmentsTotalBytes) {
			throw new InputError(
				field,
				`Attachments exceed 10 MB in total when "${file.fileName}" (${file.source}, ${formatBytes(file.sizeBytes)}) is added`,
				'MNotify accepts at most 10 MB of attachments per notification. Send fewer or smaller files.',
			);
		}
	}
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export interface SendInput {
	recipients: Array<{ type?: unknown; value?: unknown }> | undefined;
	priority: unknown;
	/** Text content; optional parts when a template supplies the texts. */
	content?: ContentInput;
	template?: { id: unknown; variables?: string };
	resolutionPolicy?: ResolutionPolicy;
	attachments?: Attachment[];
}

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
	if (input.content) {
		const required: TextPart[] = input.template ? [] : ['subject', 'body', 'shortBody'];
		const content = buildContent(input.content, required);
		if (content.subject.ro !== undefined) request.subject = content.subject;
		if (content.body) request.body = content.body;
		if (content.bodyShort) request.bodyShort = content.bodyShort;
	}
	if (input.resolutionPolicy) request.resolutionPolicy = input.resolutionPolicy;
	if (input.attachments?.length) request.attachments = input.attachments;
	return request;
}

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
	const content = buildContent(input.content, ['subject', 'body']);
	const request: TemplateRequest = { name, subject: content.subject };
	const description = requireText(input.description, 'Description', { optional: true });
	if (description !== '') request.description = description;
	if (content.body) request.body = content.body;
	if (content.bodyShort) request.bodyShort = content.bodyShort;
	return request;
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
