import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { requireText, validateRecipientValue } from '../../helpers/validation';
import { mnotifyApiRequest } from '../../transport';
import { templateLocator, templateVariablesProperties } from '../common.descriptions';
import { readTemplateVariables } from '../shared';
import type { ItemTask } from '../types';
import { readTemplateId } from './shared';
import { readParameter } from '../parameters';

const properties: INodeProperties[] = [
	templateLocator,
	...templateVariablesProperties,
	{
		displayName: 'Recipient IDNP or IDNO',
		name: 'userId',
		type: 'string',
		default: '',
		placeholder: '2000000000000',
		description:
			'Optional: fills the built-in placeholders ({{IDNP}}, {{RecipientFirstName}}, …) as for this recipient',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['preview'] } },
	properties,
);

/** Template check (T6): renders the template with the variables; nothing is stored or sent. */
export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const id = readTemplateId(this, itemIndex);
	const variables = readTemplateVariables(this, itemIndex);
	const userIdText = requireText(
		readParameter(this, 'userId', itemIndex, ''),
		'Recipient IDNP or IDNO',
		{
			optional: true,
		},
	);
	const userId =
		userIdText.trim() === ''
			? undefined
			: validateRecipientValue('IDNP', userIdText, 'Recipient IDNP or IDNO');

	return async () =>
		(await mnotifyApiRequest.call(this, {
			method: 'POST',
			path: `/api/template/${id}/check`,
			body: { variables: variables ?? '{}', ...(userId ? { userId } : {}) },
			action: `preview template ${id}`,
			itemIndex,
		})) as IDataObject;
}
