import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { readNotificationDetails } from '../../helpers/answers';
import { flattenMessages } from '../../helpers/responses';
import { notificationLocator, outputFormatOption } from '../common.descriptions';
import type { PrepareItem } from '../types';
import { readNotificationId } from './shared';

const properties: INodeProperties[] = [notificationLocator, outputFormatOption];

export const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['get'] } },
	properties,
);

export const prepare: PrepareItem = async function (itemIndex, parameters, connection) {
	const id = readNotificationId(parameters, itemIndex);
	const output = parameters.read('output', itemIndex, 'notification') as string;
	return async () => {
		const answer = await connection.request({
			method: 'GET',
			path: `/api/notification/${encodeURIComponent(id)}`,
			action: `get notification ${id}`,
			itemIndex,
		});
		const read = readNotificationDetails(answer);
		if (!read.ok) {
			throw new NodeOperationError(
				this.getNode(),
				`MNotify's answer about notification ${id} could not be read: ${read.problem}`,
				{
					description: 'Check that the credential points at the MNotify API, not another service.',
					itemIndex,
				},
			);
		}
		return output === 'messages' ? flattenMessages(read.details) : (read.details as IDataObject);
	};
};
