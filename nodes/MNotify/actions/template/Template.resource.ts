import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../types';
import * as create from './create.operation';
import * as deleteTemplate from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as preview from './preview.operation';
import * as update from './update.operation';

export const operations: Record<string, OperationModule> = {
	create,
	get,
	getMany,
	update,
	delete: deleteTemplate,
	preview,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['template'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				description: 'Create a reusable message with placeholders',
				action: 'Create a template',
			},
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a template that no notification in progress uses',
				action: 'Delete a template',
			},
			{ name: 'Get', value: 'get', description: 'Get a template', action: 'Get a template' },
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the templates of this information system',
				action: 'Get many templates',
			},
			{
				name: 'Preview',
				value: 'preview',
				description: 'Render a template with variables, without sending anything',
				action: 'Preview a template',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change some fields of a template',
				action: 'Update a template',
			},
		],
		default: 'create',
	},
	...create.description,
	...get.description,
	...getMany.description,
	...update.description,
	...deleteTemplate.description,
	...preview.description,
];
