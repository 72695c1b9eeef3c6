import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { templateLocator } from '../common.descriptions';
import type { ItemTask } from '../types';
import { getTemplate, readTemplateId } from './shared';
import type { NodeParameters } from '../parameters';

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['get'] } },
	[templateLocator] as INodeProperties[],
);

export async function prepare(
	this: IExecuteFunctions,
	itemIndex: number,
	parameters: NodeParameters,
): Promise<ItemTask> {
	const id = readTemplateId(parameters, itemIndex);
	return async () => (await getTemplate.call(this, id, itemIndex)) as IDataObject;
}
