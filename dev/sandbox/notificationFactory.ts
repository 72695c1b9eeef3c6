/** Turns a validated NotificationRequest into a stored notification with per-recipient messages. */
import { randomUUID } from 'node:crypto';
import type {
	Channel,
	MessageContent,
	Recipient,
	RecipientType,
	Sender,
	StoredNotification,
	StoredRecipient,
	StoredTemplate,
} from './model';
import { isFailingRecipient, type SandboxState } from './state';
import { builtInVariables, fillContent, targetForRecipient } from './templating';
import type { ValidNotificationRequest } from './validation/notificationRequest';

const CHANNELS_BY_RECIPIENT_TYPE: Record<RecipientType, Channel[]> = {
	IDNP: ['MCabinet', 'Email'],
	IDNO: ['MCabinet'],
	Email: ['Email'],
	Telephone: ['SMS'],
};

/**
 * What a recipient reads. Every send carries texts (the strict contract). With a template, the
 * sandbox renders its variables and built-ins into the texts sent (reading "texts", the default),
 * or, under the other reading of the contract, into the template's own texts ("template").
 */
function contentFor(
	state: SandboxState,
	request: ValidNotificationRequest,
	template: StoredTemplate | undefined,
	recipient: Recipient,
	nowMs: number,
): MessageContent {
	if (template === undefined) {
		return { subject: request.subject, body: request.body, bodyShort: request.bodyShort };
	}
	const texts = state.templateReading === 'template' ? template : request;
	const builtIns = builtInVariables(nowMs, targetForRecipient(recipient));
	const variables = request.template?.variables ?? {};
	return {
		subject: fillContent(texts.subject, builtIns, variables),
		body: fillContent(texts.body, builtIns, variables),
		bodyShort: fillContent(texts.bodyShort, builtIns, variables),
	};
}

function storedRecipient(
	state: SandboxState,
	request: ValidNotificationRequest,
	template: StoredTemplate | undefined,
	recipient: Recipient,
	nowMs: number,
): StoredRecipient {
	const content = contentFor(state, request, template, recipient, nowMs);
	return {
		...recipient,
		fails: isFailingRecipient(state, recipient.value),
		content,
		messages: CHANNELS_BY_RECIPIENT_TYPE[recipient.type].map((channel) => ({
			messageId: randomUUID(),
			channel,
			subject: content.subject.ro,
		})),
	};
}

export function createNotification(
	state: SandboxState,
	sender: Sender,
	request: ValidNotificationRequest,
	rawRequest: unknown,
	template: StoredTemplate | undefined,
): StoredNotification {
	const nowMs = state.clock.now();
	return {
		id: randomUUID(),
		sender,
		priority: request.priority,
		createdAtMs: nowMs,
		templateId: template?.id,
		request: rawRequest,
		recipients: request.recipients.map((recipient) =>
			storedRecipient(state, request, template, recipient, nowMs),
		),
	};
}
