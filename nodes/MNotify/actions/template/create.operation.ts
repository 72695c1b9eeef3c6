import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { buildTemplateRequest } from '../../helpers/requestBuilders';
import { mnotifyApiRequest, readReturnedId } from '../../transport';
import { contentProperties } from '../common.descriptions';
import { readTextContent } from '../shared';
import type { ItemTask } from '../types';
import { readParameter } from '../parameters';

export const templateFields: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		description: 'A name to find the template by, at most 50 characters',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
	},
	...contentProperties({ shortBody: false }).map((property) =>
		property.name === 'subject' || property.name === 'body'
			? {
					...property,
					description: `${property.description}. Placeholders such as {{customerName}} or the built-in {{RecipientFirstName}}, {{Date}} are filled in when sending.`,
				}
			: property,
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['create'] } },
	templateFields,
);

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const request = buildTemplateRequest({
		name: readParameter(this, 'name', itemIndex),
		description: readParameter(this, 'description', itemIndex, ''),
		content: readTextContent(this, itemIndex),
	});
	return async () => {
		const answer = await mnotifyApiRequest.call(this, {
			method: 'POST',
			path: '/api/template',
			body: request,
			action: `create the template "${request.name}"`,
			maybeAcceptedHint:
				'before running it again, check with Template → Get Many, so the template is not created twice.',
			itemIndex,
		});
		return { id: readReturnedId(answer) ?? null, ...request };
	};
}
