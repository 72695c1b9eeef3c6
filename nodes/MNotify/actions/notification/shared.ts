import { validateUuid } from '../../helpers/checks';
import type { NodeParameters } from '../parameters';

/** The notification picked from the list or given by ID (a plain string from older workflows too). */
export function readNotificationId(parameters: NodeParameters, itemIndex: number): string {
	return validateUuid(
		parameters.read('notificationId', itemIndex, '', { extractValue: true }),
		'Notification',
	);
}
