import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { buildTemplateRequest } from '../../helpers/content';
import { LIMITS } from '../../helpers/interfaces';
import { readReturnedId } from '../../transport';
import { agentWriteOptions } from '../agentGuard';
import { contentProperties } from '../common.descriptions';
import { readTextContent } from '../parameters';
import type { PrepareItem } from '../types';

/** Every field is required (docs/contract.md §5.4): the strictest of MNotify's sources. */
export const templateFields: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Payment reminder',
		description: `A name to find the template by, at most ${LIMITS.templateNameLength} characters`,
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Reminder of a payment due, with amount and due date',
		description: 'What the template is for',
	},
	...contentProperties({ shortBody: true }).map((property) =>
		['subject', 'body', 'shortBody'].includes(property.name)
			? {
					...property,
					description: `${property.description}. Placeholders such as {{customerName}} are filled from the variables of each send; {{RecipientFirstName}}, {{RecipientLastName}}, {{IDNP}}, {{IDNO}}, {{Date}} and {{Time}} by MNotify.`,
				}
			: property,
	),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['create'] } },
	[...templateFields, agentWriteOptions],
);

export const writes = 'create a template';

export const prepare: PrepareItem = async function (itemIndex, parameters, connection) {
	const request = buildTemplateRequest({
		name: parameters.read('name', itemIndex),
		description: parameters.read('description', itemIndex, ''),
		content: readTextContent(parameters, itemIndex),
	});
	return async () => {
		const answer = await connection.request({
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
};
