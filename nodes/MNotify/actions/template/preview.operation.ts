import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	customPlaceholders,
	describeUnfilled,
	unfilledPlaceholders,
} from '../../helpers/placeholders';
import { requireText } from '../../helpers/checks';
import { parseVariablesObject } from '../../helpers/content';
import { validateRecipientValue } from '../../helpers/recipients';
import type { MNotifyConnection } from '../../transport';
import { templateLocator, templateVariablesProperties } from '../common.descriptions';
import { readTemplateVariables } from '../shared';
import type { ItemTask, OperationRun, RunStart } from '../types';
import { readTemplateId, TemplateReads, templateName } from './shared';
import type { NodeParameters } from '../parameters';

const properties: INodeProperties[] = [
	templateLocator,
	...templateVariablesProperties,
	{
		displayName: 'Recipient IDNP or IDNO',
		name: 'userId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2000000000000',
		description:
			'Optional: fills the built-in placeholders ({{IDNP}}, {{RecipientFirstName}}, …) as for this recipient',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['preview'] } },
	properties,
);

/**
 * Template check (T6): renders the template with the variables; nothing is stored or sent. The
 * output also lists the custom placeholders the variables leave unfilled, which Send would refuse.
 */
export async function startRun(
	this: IExecuteFunctions,
	{ parameters, connection }: RunStart,
): Promise<OperationRun> {
	const templates = new TemplateReads(connection);
	return {
		prepare: async (itemIndex) =>
			await prepare.call(this, connection, templates, parameters, itemIndex),
	};
}

async function prepare(
	this: IExecuteFunctions,
	connection: MNotifyConnection,
	templates: TemplateReads,
	parameters: NodeParameters,
	itemIndex: number,
): Promise<ItemTask> {
	const id = readTemplateId(parameters, itemIndex);
	const variables = readTemplateVariables(parameters, itemIndex);
	const userIdText = requireText(
		parameters.read('userId', itemIndex, ''),
		'Recipient IDNP or IDNO',
		{
			optional: true,
		},
	);
	const userId =
		userIdText.trim() === ''
			? undefined
			: validateRecipientValue('IDNP', userIdText, 'Recipient IDNP or IDNO');

	return async () => {
		const [rendered, template] = await Promise.all([
			connection.request({
				method: 'POST',
				path: `/api/template/${id}/check`,
				body: { variables: variables ?? '{}', ...(userId ? { userId } : {}) },
				action: `preview template ${id}`,
				itemIndex,
			}),
			templates.read(id, itemIndex),
		]);
		const unfilled = unfilledPlaceholders(
			customPlaceholders(template),
			parseVariablesObject(variables ?? '{}', 'Variables'),
		);
		if (unfilled.length > 0) {
			this.addExecutionHints({
				message: `Sending template "${templateName(template, id)}" with these variables would be refused: ${describeUnfilled(unfilled)}`,
				type: 'warning',
				location: 'outputPane',
			});
		}
		return {
			...(rendered as IDataObject),
			missingPlaceholders: unfilled.map(({ name }) => name),
		};
	};
}
