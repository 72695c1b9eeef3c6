import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { templateLocator } from '../common.descriptions';
import type { PrepareItem } from '../types';
import { getTemplate, readTemplateId } from './shared';

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['get'] } },
	[templateLocator] as INodeProperties[],
);

export const prepare: PrepareItem = async function (itemIndex, parameters, connection) {
	const id = readTemplateId(parameters, itemIndex);
	return async () => (await getTemplate(connection, id, itemIndex)) as IDataObject;
};
