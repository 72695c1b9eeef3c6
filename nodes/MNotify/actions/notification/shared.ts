import type { IExecuteFunctions } from 'n8n-workflow';

import { validateUuid } from '../../helpers/checks';
import { readParameter } from '../parameters';

/** The notification picked from the list or given by ID (a plain string from older workflows too). */
export function readNotificationId(context: IExecuteFunctions, itemIndex: number): string {
	return validateUuid(
		readParameter(context, 'notificationId', itemIndex, '', { extractValue: true }),
		'Notification',
	);
}
