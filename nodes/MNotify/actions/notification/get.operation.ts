import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { NotificationDetails } from '../../helpers/interfaces';
import { flattenMessages } from '../../helpers/responses';
import { mnotifyApiRequest } from '../../transport';
import { notificationLocator, outputFormatOption } from '../common.descriptions';
import type { ItemTask } from '../types';
import { readNotificationId } from './shared';
import { readParameter } from '../parameters';

const properties: INodeProperties[] = [notificationLocator, outputFormatOption];

export const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['get'] } },
	properties,
);

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const id = readNotificationId(this, itemIndex);
	const output = readParameter(this, 'output', itemIndex, 'notification') as string;
	return async () => {
		const details = (await mnotifyApiRequest.call(this, {
			method: 'GET',
			path: `/api/notification/${id}`,
			action: `get notification ${id}`,
			itemIndex,
		})) as NotificationDetails;
		return output === 'messages' ? flattenMessages(details) : (details as IDataObject);
	};
}
