/** Turns a validated NotificationRequest into a stored notification with per-recipient messages. */
import { randomUUID } from 'node:crypto';
import type {
	Channel,
	ContentLanguage,
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

/** Explicit texts win field by field; the template (rendered for this recipient) fills the rest. */
function subjectFor(
	request: ValidNotificationRequest,
	template: StoredTemplate | undefined,
	recipient: Recipient,
	nowMs: number,
): ContentLanguage {
	if (request.subject !== undefined || template === undefined) {
		return request.subject as ContentLanguage;
	}
	const builtIns = builtInVariables(nowMs, targetForRecipient(recipient));
	return fillContent(template.subject, builtIns, request.template?.variables ?? {});
}

function storedRecipient(
	state: SandboxState,
	request: ValidNotificationRequest,
	template: StoredTemplate | undefined,
	recipient: Recipient,
	nowMs: number,
): StoredRecipient {
	const subject = subjectFor(request, template, recipient, nowMs).ro;
	return {
		...recipient,
		fails: isFailingRecipient(state, recipient.value),
		messages: CHANNELS_BY_RECIPIENT_TYPE[recipient.type].map((channel) => ({
			messageId: randomUUID(),
			channel,
			subject,
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
