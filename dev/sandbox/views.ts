/** Wire shapes (§6) of stored notifications and templates. */
import type {
	MessageContent,
	NotificationStatus,
	Priority,
	Recipient,
	StoredNotification,
	StoredRecipient,
	StoredTemplate,
} from './model';
import {
	notificationStatus,
	recipientStatus,
	type StatusSnapshot,
	type StatusTiming,
} from './statuses';
import { toDotNetTimestamp } from './wire';

const FAILURE_REASON = 'The channel rejected this recipient (sandbox failing recipient).';

function auditFields(createdAtMs: number, createdBy: string, snapshot: StatusSnapshot) {
	return {
		createdAt: toDotNetTimestamp(createdAtMs),
		lastUpdatedAt: toDotNetTimestamp(snapshot.changedAtMs),
		createdBy,
		lastUpdatedBy: snapshot.changedBy,
	};
}

export function toNotificationShort(notification: StoredNotification, timing: StatusTiming) {
	const snapshot = notificationStatus(notification, timing);
	return {
		id: notification.id,
		status: snapshot.status,
		...auditFields(notification.createdAtMs, notification.sender.id, snapshot),
	};
}

function toRecipientDetails(
	notification: StoredNotification,
	recipient: StoredRecipient,
	timing: StatusTiming,
) {
	const snapshot = recipientStatus(notification, recipient, timing);
	const audit = auditFields(notification.createdAtMs, notification.sender.id, snapshot);
	return {
		type: recipient.type,
		value: recipient.value,
		isLegal: recipient.type === 'IDNO',
		...audit,
		messages: recipient.messages.map((message) => ({
			messageId: message.messageId,
			subject: message.subject,
			status: snapshot.status,
			channel: message.channel,
			...audit,
			// Not in the contract: clients must pass unknown fields through untouched.
			...(snapshot.status === 'Failed' ? { failureReason: FAILURE_REASON } : {}),
		})),
	};
}

export function toNotificationDetails(notification: StoredNotification, timing: StatusTiming) {
	const snapshot = notificationStatus(notification, timing);
	return {
		id: notification.id,
		status: snapshot.status,
		// Not in the contract: clients must pass unknown fields through untouched.
		priority: notification.priority,
		recipients: notification.recipients.map((recipient) =>
			toRecipientDetails(notification, recipient, timing),
		),
	};
}

function templateAudit(template: StoredTemplate) {
	return {
		createdAt: toDotNetTimestamp(template.createdAtMs),
		lastUpdatedAt: toDotNetTimestamp(template.lastUpdatedAtMs),
		createdBy: template.sender.id,
		lastUpdatedBy: template.lastUpdatedBy,
	};
}

export function toTemplateShort(template: StoredTemplate) {
	return { id: template.id, name: template.name, ...templateAudit(template) };
}

export function toTemplate(template: StoredTemplate) {
	return {
		id: template.id,
		senderId: template.sender.id,
		...templateAudit(template),
		name: template.name,
		description: template.description,
		subject: template.subject,
		body: template.body,
		bodyShort: template.bodyShort,
	};
}

/** A stored notification as tests see it: what was sent, by whom, and where it stands now. */
export interface SandboxNotificationRecord {
	id: string;
	senderId: string;
	senderName: string;
	status: NotificationStatus;
	priority: Priority;
	/** The Romanian subject of the first message (after template substitution). */
	subject: string;
	/** What the first recipient reads, every language, placeholders filled in. */
	content?: MessageContent;
	recipients: Recipient[];
	templateId?: string;
	/** The request body as it was received, parsed from JSON. */
	request: unknown;
	createdAt: Date;
	lastUpdatedAt: Date;
}

export function toNotificationRecord(
	notification: StoredNotification,
	timing: StatusTiming,
): SandboxNotificationRecord {
	const snapshot = notificationStatus(notification, timing);
	return {
		id: notification.id,
		senderId: notification.sender.id,
		senderName: notification.sender.name,
		status: snapshot.status,
		priority: notification.priority,
		subject: notification.recipients[0]?.messages[0]?.subject ?? '',
		content: notification.recipients[0]?.content,
		recipients: notification.recipients.map(({ type, value }) => ({ type, value })),
		templateId: notification.templateId,
		request: notification.request,
		createdAt: new Date(notification.createdAtMs),
		lastUpdatedAt: new Date(snapshot.changedAtMs),
	};
}
