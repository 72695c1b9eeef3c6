import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { fetchList } from '../../transport';
import { createdAfterOption, listProperties, readListRequest } from '../listRequest';
import type { PrepareItem } from '../types';

const properties: INodeProperties[] = listProperties([
	{ name: 'Created At', value: 'createdAt' },
	{ name: 'ID', value: 'id' },
	{ name: 'Last Updated At', value: 'lastUpdatedAt' },
	{ name: 'Status', value: 'status' },
]).map((property) =>
	property.name === 'options'
		? { ...property, options: [createdAfterOption, ...(property.options ?? [])] }
		: property,
);

export const description = updateDisplayOptions(
	{ show: { resource: ['notification'], operation: ['getMany'] } },
	properties,
);

export const prepare: PrepareItem = async function (itemIndex, _parameters, connection) {
	const request = readListRequest(this, itemIndex, '/api/notification', 'list notifications');
	return async () => await fetchList(connection, request);
};
