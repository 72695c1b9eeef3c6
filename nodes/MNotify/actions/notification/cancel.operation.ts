import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readReturnedId } from '../../transport';
import { agentWriteOptions } from '../agentGuard';
import { notificationLocator } from '../common.descriptions';
import type { PrepareItem } from '../types';
import { readNotificationId } from './shared';

const properties: INodeProperties[] = [notificationLocator, agentWriteOptions];

export const writes = 'cancel a notification';

export const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['cancel'] } },
	properties,
);

export const prepare: PrepareItem = async function (itemIndex, parameters, connection) {
	const id = readNotificationId(parameters, itemIndex);
	return async () => {
		const answer = await connection.request({
			method: 'DELETE',
			path: `/api/notification/${encodeURIComponent(id)}`,
			action: `cancel notification ${id}`,
			conflictHint:
				'It was already sent on to its channels (or delivered, failed or cancelled), so it can no longer be cancelled.',
			itemIndex,
		});
		return { id: readReturnedId(answer) ?? id, cancelled: true };
	};
};
