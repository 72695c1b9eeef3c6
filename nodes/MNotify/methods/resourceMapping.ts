import type { ILoadOptionsFunctions, ResourceMapperFields } from 'n8n-workflow';

import { UUID_PATTERN, type StoredTemplate } from '../helpers/interfaces';
import { customPlaceholders } from '../helpers/placeholders';
import { withConnection } from '../transport';
import { TEMPLATE_NOT_FOUND } from '../actions/template/shared';

/**
 * The fields of Send's variables mapper: the custom `{{placeholders}}` of the chosen template
 * (MNotify fills the built-in ones itself, docs/contract.md §5.2), each one to fill.
 */
export async function getTemplatePlaceholders(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const id = String(this.getNodeParameter('templateId', '', { extractValue: true }) ?? '').trim();
	if (!UUID_PATTERN.test(id)) {
		return {
			fields: [],
			emptyFieldsNotice: 'Pick a template first: its placeholders are listed here.',
		};
	}
	const template = (await withConnection(
		this,
		async (connection) =>
			await connection.request({
				method: 'GET',
				path: `/api/template/${id}`,
				action: `read the placeholders of template ${id}`,
				notFoundHint: TEMPLATE_NOT_FOUND,
			}),
	)) as StoredTemplate;
	const fields = customPlaceholders(template ?? {}).map((name) => ({
		id: name,
		displayName: name,
		type: 'string' as const,
		required: true,
		defaultMatch: false,
		canBeUsedToMatch: false,
		display: true,
	}));
	return fields.length > 0
		? { fields }
		: {
				fields,
				emptyFieldsNotice:
					'This template has no placeholders to fill; MNotify fills the built-in ones ({{Date}}, {{RecipientFirstName}}, …) itself.',
			};
}
