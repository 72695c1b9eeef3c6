/**
 * Validation of TemplateRequest (docs/contract.md §5.4) for create and update, in the strictest
 * reading: the docs require all five fields, the .NET client description and short body; both
 * limits of a notification's texts apply to the texts it will be sent with.
 */
import type { ContentLanguage, TemplateContent } from '../model';
import { isPlainObject } from '../wire';
import { readContentLanguage } from './contentLanguage';
import { FieldErrorCollector, isNonBlankString, requiredMessage } from './fieldErrors';
import { MAX_BODY_SHORT_LENGTH, MAX_SUBJECT_LENGTH } from './notificationRequest';

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
	if (!isNonBlankString(value)) {
		errors.add('Description', requiredMessage('Description'));
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
	const subject = readContentLanguage(request.subject, 'Subject', errors, {
		required: true,
		maxLength: MAX_SUBJECT_LENGTH,
	});
	const templateBody = readContentLanguage(request.body, 'Body', errors, { required: true });
	const bodyShort = readContentLanguage(request.bodyShort, 'BodyShort', errors, {
		required: true,
		maxLength: MAX_BODY_SHORT_LENGTH,
	});
	errors.throwIfAny();

	return {
		name: name as string,
		description: description as string,
		subject: subject as ContentLanguage,
		body: templateBody as ContentLanguage,
		bodyShort: bodyShort as ContentLanguage,
	};
}
