import type { IDataObject } from 'n8n-workflow';

import type { NotificationDetails } from './interfaces';
import { DELIVERY_PROGRESSION, END_STATUSES } from './interfaces';

/**
 * One item per recipient message, for analysts who filter or count by channel and status. Every
 * field MNotify returns is kept: the message's own under their names (its status as
 * `messageStatus`), the recipient's prefixed with "recipient" (e.g. `recipientIsLegal`).
 */
export function flattenMessages(details: NotificationDetails): IDataObject[] {
	const rows: IDataObject[] = [];
	for (const recipient of details.recipients ?? []) {
		const { messages, type, value, ...recipientExtras } = recipient;
		const recipientColumns: IDataObject = {
			notificationId: details.id,
			notificationStatus: details.status,
			recipientType: type,
			recipientValue: value,
		};
		for (const [key, field] of Object.entries(recipientExtras)) {
			recipientColumns[`recipient${key.charAt(0).toUpperCase()}${key.slice(1)}`] =
				field as IDataObject[string];
		}
		if (!messages || messages.length === 0) {
			rows.push({ ...recipientColumns, messageStatus: null });
			continue;
		}
		for (const { status, ...messageFields } of messages) {
			rows.push({ ...recipientColumns, ...(messageFields as IDataObject), messageStatus: status });
		}
	}
	return rows;
}

/**
 * Whether waiting can stop: no status can follow this one, or it reached (or passed) one of the
 * statuses the user waits for. Passing matters because polling can miss a short-lived status;
 * a Delivered notification has not yet reached Read.
 */
export function hasReachedAny(status: string | undefined, targets: string[]): boolean {
	if (!status) return false;
	if ((END_STATUSES as string[]).includes(status) || targets.includes(status)) return true;
	const position = (DELIVERY_PROGRESSION as readonly string[]).indexOf(status);
	return targets.some((target) => {
		const targetPosition = (DELIVERY_PROGRESSION as readonly string[]).indexOf(target);
		return position !== -1 && targetPosition !== -1 && position >= targetPosition;
	});
}
