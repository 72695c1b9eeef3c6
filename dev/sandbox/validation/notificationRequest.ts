/**
 * Validation of NotificationRequest (docs/contract.md §5.1, §7), producing ASP.NET-style field
 * errors. Where the docs and the .NET client disagree, the stricter rule applies.
 */
import { type ContentLanguage, PRIORITIES, type Priority, type Recipient } from '../model';
import { parseVariables, type TemplateVariables } from '../templating';
import { isPlainObject, isUuid } from '../wire';
import { type AttachmentSummary, readAttachments } from './attachments';
import { readContentLanguage } from './contentLanguage';
import { FieldErrorCollector, isNonBlankString, requiredMessage } from './fieldErrors';
import { readRecipients } from './recipients';

export const MAX_SUBJECT_LENGTH = 41;
export const MAX_BODY_SHORT_LENGTH = 160;
const DIRECTIONS = ['Owner', 'Administrator', 'Founder'];

export interface TemplateReference {
	id: string;
	variables: TemplateVariables;
}

export interface ValidNotificationRequest {
	subject: ContentLanguage;
	body: ContentLanguage;
	bodyShort: ContentLanguage;
	priority: Priority;
	recipients: Recipient[];
	template?: TemplateReference;
	attachments: AttachmentSummary[];
}

function readPriority(value: unknown, errors: FieldErrorCollector): Priority {
	if (value === undefined || value === null) {
		errors.add('Priority', requiredMessage('Priority'));
		return 'Low';
	}
	const priority =
		typeof value === 'string'
			? PRIORITIES.find((candidate) => candidate.toLowerCase() === value.toLowerCase())
			: undefined;
	if (priority === undefined) {
		errors.add(
			'Priority',
			`${JSON.stringify(value)} is not a priority. Send one of the strings: ${PRIORITIES.join(', ')}.`,
		);
		return 'Low';
	}
	return priority;
}

function readTemplateReference(
	value: unknown,
	errors: FieldErrorCollector,
): TemplateReference | undefined {
	if (value === undefined || value === null) return undefined;
	if (!isPlainObject(value)) {
		errors.add('Template', 'Template must be an object { "id", "variables" }.');
		return undefined;
	}
	if (!isUuid(value.id)) {
		errors.add('Template.Id', 'Template.Id must be the UUID of one of your templates.');
	}
	const variables = parseVariables(value.variables);
	if (!variables.ok) errors.add('Template.Variables', variables.message);
	return isUuid(value.id) && variables.ok
		? { id: value.id, variables: variables.variables }
		: undefined;
}

/** The reference's values and its example's IDNP (D10): what to resolve each recipient to. */
const RESOLUTION_TYPES = ['IDNO', 'IDNV', 'CadastralNumber', 'PlateNumber', 'IDNP'];

function oneOf(value: unknown, allowed: string[]): boolean {
	return (
		typeof value === 'string' &&
		allowed.some((candidate) => candidate.toLowerCase() === value.toLowerCase())
	);
}

/**
 * Strictest reading: the docs require `parameters`, and a direction is what it carries, so a
 * policy without one is refused (the .NET client would let `parameters` be null).
 */
function checkResolutionPolicy(value: unknown, errors: FieldErrorCollector): void {
	if (value === undefined || value === null) return;
	if (!isPlainObject(value)) {
		errors.add('ResolutionPolicy', 'ResolutionPolicy must be an object { "type", "parameters" }.');
		return;
	}
	if (!isNonBlankString(value.type)) {
		errors.add('ResolutionPolicy.Type', requiredMessage('ResolutionPolicy.Type'));
	} else if (!oneOf(value.type, RESOLUTION_TYPES)) {
		errors.add(
			'ResolutionPolicy.Type',
			`${JSON.stringify(value.type)} is not a resolution type. Use one of: ${RESOLUTION_TYPES.join(', ')}.`,
		);
	}
	const parameters = value.parameters;
	if (parameters === undefined || parameters === null) {
		errors.add('ResolutionPolicy.Parameters', requiredMessage('ResolutionPolicy.Parameters'));
		return;
	}
	if (!isPlainObject(parameters)) {
		errors.add('ResolutionPolicy.Parameters', 'Parameters must be an object { "direction" }.');
		return;
	}
	const direction = parameters.direction;
	if (direction === undefined || direction === null || direction === '') {
		errors.add(
			'ResolutionPolicy.Parameters.Direction',
			requiredMessage('ResolutionPolicy.Parameters.Direction'),
		);
	} else if (!oneOf(direction, DIRECTIONS)) {
		errors.add(
			'ResolutionPolicy.Parameters.Direction',
			`${JSON.stringify(direction)} is not a direction. Use one of: ${DIRECTIONS.join(', ')}.`,
		);
	}
}

/** Throws the 400 ProblemDetails when the request is invalid. */
export function readNotificationRequest(body: unknown): ValidNotificationRequest {
	const errors = new FieldErrorCollector();
	if (!isPlainObject(body)) {
		errors.add('$', 'The request body must be a JSON object (a NotificationRequest).');
		errors.throwIfAny();
	}
	const request = body as Record<string, unknown>;
	const template = readTemplateReference(request.template, errors);
	// Strictest reading: the docs and the .NET client both require the three texts, template or
	// not (docs/contract.md §12).
	const valid: ValidNotificationRequest = {
		subject: readContentLanguage(request.subject, 'Subject', errors, {
			required: true,
			maxLength: MAX_SUBJECT_LENGTH,
		}) as ContentLanguage,
		body: readContentLanguage(request.body, 'Body', errors, { required: true }) as ContentLanguage,
		bodyShort: readContentLanguage(request.bodyShort, 'BodyShort', errors, {
			required: true,
			maxLength: MAX_BODY_SHORT_LENGTH,
		}) as ContentLanguage,
		priority: readPriority(request.priority, errors),
		recipients: readRecipients(request.recipients, errors),
		template,
		attachments: readAttachments(request.attachments, errors),
	};
	checkResolutionPolicy(request.resolutionPolicy, errors);
	errors.throwIfAny();
	return valid;
}
