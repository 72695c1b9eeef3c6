import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readReturnedId } from '../../transport';
import { agentWriteOptions } from '../agentGuard';
import { templateLocator } from '../common.descriptions';
import type { PrepareItem } from '../types';
import { readTemplateId } from './shared';

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['delete'] } },
	[templateLocator, agentWriteOptions] as INodeProperties[],
);

export const writes = 'delete a template';

export const prepare: PrepareItem = async function (itemIndex, parameters, connection) {
	const id = readTemplateId(parameters, itemIndex);
	return async () => {
		const answer = await connection.request({
			method: 'DELETE',
			path: `/api/template/${id}`,
			action: `delete template ${id}`,
			conflictHint:
				'The template is still used by notifications that are being delivered. Delete it once they are finished.',
			itemIndex,
		});
		return { id: readReturnedId(answer) ?? id, deleted: true };
	};
};
