import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { fetchList } from '../../transport';
import { listProperties, readListRequest } from '../listRequest';
import type { PrepareItem } from '../types';

const properties: INodeProperties[] = listProperties([
	{ name: 'Created At', value: 'createdAt' },
	{ name: 'ID', value: 'id' },
	{ name: 'Last Updated At', value: 'lastUpdatedAt' },
	{ name: 'Name', value: 'name' },
]);

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['getMany'] } },
	properties,
);

export const prepare: PrepareItem = async function (itemIndex, _parameters, connection) {
	const request = readListRequest(this, itemIndex, '/api/template', 'list templates');
	return async () => await fetchList(connection, request);
};
