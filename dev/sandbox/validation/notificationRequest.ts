/** Validation of NotificationRequest (§5.1, §7), producing ASP.NET-style field errors. */
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
	subject?: ContentLanguage;
	body?: ContentLanguage;
	bodyShort?: ContentLanguage;
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

const RESOLUTION_TYPES = ['IDNO', 'IDNV', 'CadastralNumber', 'PlateNumber', 'IDNP'];

function checkResolutionPolicy(value: unknown, errors: FieldErrorCollector): void {
	if (value === undefined || value === null) return;
	if (!isPlainObject(value)) {
		errors.add('ResolutionPolicy', 'ResolutionPolicy must be an object { "type", "parameters" }.');
		return;
	}
	if (!isNonBlankString(value.type)) {
		errors.add('ResolutionPolicy.Type', requiredMessage('ResolutionPolicy.Type'));
	} else if (
		!RESOLUTION_TYPES.some((type) => type.toLowerCase() === String(value.type).toLowerCase())
	) {
		// The reference lists these; its own example uses IDNP (D10), so that is accepted too.
		errors.add(
			'ResolutionPolicy.Type',
			`${JSON.stringify(value.type)} is not a resolution type. Use one of: ${RESOLUTION_TYPES.join(', ')}.`,
		);
	}
	const parameters = value.parameters;
	if (parameters === undefined || parameters === null) return;
	if (!isPlainObject(parameters)) {
		errors.add('ResolutionPolicy.Parameters', 'Parameters must be an object { "direction" }.');
		return;
	}
	const direction = parameters.direction;
	if (direction === undefined || direction === null) return;
	const known = DIRECTIONS.some(
		(candidate) =>
			typeof direction === 'string' && candidate.toLowerCase() === direction.toLowerCase(),
	);
	if (!known) {
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
	// With a template, the texts come from it, so the explicit ones become optional.
	const textsRequired = !(isPlainObject(request.template) && request.template.id !== undefined);

	const valid: ValidNotificationRequest = {
		subject: readContentLanguage(request.subject, 'Subject', errors, {
			required: textsRequired,
			maxLength: MAX_SUBJECT_LENGTH,
		}),
		body: readContentLanguage(request.body, 'Body', errors, { required: textsRequired }),
		bodyShort: readContentLanguage(request.bodyShort, 'BodyShort', errors, {
			required: textsRequired,
			maxLength: MAX_BODY_SHORT_LENGTH,
		}),
		priority: readPriority(request.priority, errors),
		recipients: readRecipients(request.recipients, errors),
		template,
		attachments: readAttachments(request.attachments, errors),
	};
	checkResolutionPolicy(request.resolutionPolicy, errors);
	errors.throwIfAny();
	return valid;
}
