import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { validateUuid } from '../../helpers/validation';
import { mnotifyApiRequest, readReturnedId } from '../../transport';
import { idProperty } from '../common.descriptions';
import type { ItemTask } from '../types';
import { readParameter } from '../parameters';

const properties: INodeProperties[] = [
	idProperty('notificationId', 'Notification ID', 'notification to cancel'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['cancel'] } },
	properties,
);

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const id = validateUuid(readParameter(this, 'notificationId', itemIndex), 'Notification ID');
	return async () => {
		const answer = await mnotifyApiRequest.call(this, {
			method: 'DELETE',
			path: `/api/notification/${id}`,
			action: `cancel notification ${id}`,
			conflictHint:
				'It was already sent on to its channels (or delivered, failed or cancelled), so it can no longer be cancelled.',
			itemIndex,
		});
		return { id: readReturnedId(answer) ?? id, cancelled: true };
	};
}
