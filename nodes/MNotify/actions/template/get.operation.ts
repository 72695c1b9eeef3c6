import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { templateLocator } from '../common.descriptions';
import type { ItemTask } from '../types';
import { getTemplate, readTemplateId } from './shared';

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['get'] } },
	[templateLocator] as INodeProperties[],
);

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const id = readTemplateId(this, itemIndex);
	return async () => (await getTemplate.call(this, id, itemIndex)) as IDataObject;
}
