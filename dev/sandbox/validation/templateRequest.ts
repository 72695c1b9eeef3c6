/** Validation of TemplateRequest (§5.4) for create and update. */
import type { TemplateContent } from '../model';
import { isPlainObject } from '../wire';
import { readContentLanguage } from './contentLanguage';
import { FieldErrorCollector, isNonBlankString, requiredMessage } from './fieldErrors';

export const MAX_TEMPLATE_NAME_LENGTH = 50;

function readName(value: unknown, errors: FieldErrorCollector): string | undefined {
	if (!isNonBlankString(value)) {
		errors.add('Name', requiredMessage('Name'));
		return undefined;
	}
	if (value.length > MAX_TEMPLATE_NAME_LENGTH) {
		errors.add(
			'Name',
			`The field Name must be a string with a maximum length of ${MAX_TEMPLATE_NAME_LENGTH} (it has ${value.length}).`,
		);
	}
	return value;
}

function readDescription(value: unknown, errors: FieldErrorCollector): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') {
		errors.add('Description', 'Description must be a string.');
		return undefined;
	}
	return value;
}

/** Throws the 400 ProblemDetails when the request is invalid. */
export function readTemplateRequest(body: unknown): TemplateContent {
	const errors = new FieldErrorCollector();
	if (!isPlainObject(body)) {
		errors.add('$', 'The request body must be a JSON object (a TemplateRequest).');
		errors.throwIfAny();
	}
	const request = body as Record<string, unknown>;
	const name = readName(request.name, errors);
	const description = readDescription(request.description, errors);
	const subject = readContentLanguage(request.subject, 'Subject', errors, { required: true });
	const templateBody = readContentLanguage(request.body, 'Body', errors, { required: true });
	const bodyShort = readContentLanguage(request.bodyShort, 'BodyShort', errors, {
		required: false,
	});
	errors.throwIfAny();

	const content: TemplateContent = {
		name: name as string,
		subject: subject as TemplateContent['subject'],
		body: templateBody as TemplateContent['body'],
	};
	if (description !== undefined) content.description = description;
	if (bodyShort !== undefined) content.bodyShort = bodyShort;
	return content;
}
