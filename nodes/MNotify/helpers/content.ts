/**
 * A notification's content: its texts in each language, a template's texts and variables, and
 * the whole request built from recipients, content and attachments.
 */
import {
	type Attachment,
	type ContentLanguage,
	LIMITS,
	type Language,
	type NotificationRequest,
	type ResolutionPolicy,
	type StoredTemplate,
	type TemplateRequest,
} from './interfaces';
import {
	InputError,
	describeValue,
	listInWords,
	requireText,
	validateMaxLength,
	validateUuid,
} from './checks';
import { buildPriority, buildRecipients } from './recipients';

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
			`MNotify uses it as the e-mail subject, limited to ${LIMITS.emailSubjectLength} characters`,
		);
	}
	for (const [language, text] of Object.entries(texts.shortBody)) {
		validateMaxLength(
			text,
			LIMITS.smsTextLength,
			`${where}Short Body (${LANGUAGE_NAMES[language as Language]})`,
			`it is sent as one SMS or instant message, limited to ${LIMITS.smsTextLength} characters`,
		);
	}

	return {
		subject: texts.subject as ContentLanguage,
		body: texts.body.ro === undefined ? undefined : (texts.body as ContentLanguage),
		bodyShort: texts.shortBody.ro === undefined ? undefined : (texts.shortBody as ContentLanguage),
	};
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
			`${field} must be a JSON object, not ${describeValue(value)}`,
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
		`template names are limited to ${LIMITS.templateNameLength} characters`,
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
