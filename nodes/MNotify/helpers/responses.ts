import type { IDataObject } from 'n8n-workflow';

import type { NotificationDetails } from './interfaces';
import { DELIVERY_PROGRESSION, FINAL_STATUSES } from './interfaces';

/** One item per recipient message, for analysts who filter or count by channel and status. */
export function flattenMessages(details: NotificationDetails): IDataObject[] {
	const rows: IDataObject[] = [];
	for (const recipient of details.recipients ?? []) {
		const { messages, ...recipientFields } = recipient;
		const recipientColumns = {
			notificationId: details.id,
			notificationStatus: details.status,
			recipientType: recipientFields.type,
			recipientValue: recipientFields.value,
		};
		if (!messages || messages.length === 0) {
			rows.push({ ...recipientColumns, messageStatus: null } as IDataObject);
			continue;
		}
		for (const message of messages) {
			rows.push({
				...recipientColumns,
				messageId: message.messageId,
				channel: message.channel,
				messageStatus: message.status,
				subject: message.subject,
				createdAt: message.createdAt,
				lastUpdatedAt: message.lastUpdatedAt,
			} as IDataObject);
		}
	}
	return rows;
}

/**
 * Whether waiting can stop: the status is final, or it reached (or passed) one of the statuses
 * the user waits for. Passing matters because polling can miss a short-lived status.
 */
export function hasReachedAny(status: string | undefined, targets: string[]): boolean {
	if (!status) return false;
	if ((FINAL_STATUSES as string[]).includes(status) || targets.includes(status)) return true;
	const position = (DELIVERY_PROGRESSION as readonly string[]).indexOf(status);
	return targets.some((target) => {
		const targetPosition = (DELIVERY_PROGRESSION as readonly string[]).indexOf(target);
		return position !== -1 && targetPosition !== -1 && position >= targetPosition;
	});
}
