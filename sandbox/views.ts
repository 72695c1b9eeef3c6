/** Wire shapes (§6) of stored notifications and templates. */
import type { StoredNotification, StoredRecipient, StoredTemplate } from './model';
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

/** Absent optional fields are omitted, as .NET's serializer omits nulls. */
export function toTemplate(template: StoredTemplate) {
	return {
		id: template.id,
		senderId: template.sender.id,
		...templateAudit(template),
		name: template.name,
		...(template.description !== undefined ? { description: template.description } : {}),
		subject: template.subject,
		body: template.body,
		...(template.bodyShort !== undefined ? { bodyShort: template.bodyShort } : {}),
	};
}
