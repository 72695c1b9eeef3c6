import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { ContentLanguage } from '../../helpers/interfaces';
import { buildTemplateRequest, type ContentInput } from '../../helpers/requestBuilders';
import { mnotifyApiRequest, readReturnedId } from '../../transport';
import { templateLocator } from '../common.descriptions';
import type { ItemTask } from '../types';
import { templateFields } from './create.operation';
import { getTemplate, readTemplateId } from './shared';
import { readParameter } from '../parameters';

const properties: INodeProperties[] = [
	templateLocator,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'The fields to change; the others keep their current value',
		options: templateFields
			.filter((field) => field.name !== 'translations')
			.map((field) => ({ ...field, required: false })),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['update'] } },
	properties,
);

interface StoredTemplate {
	name?: string;
	description?: string;
	subject?: Partial<ContentLanguage>;
	body?: Partial<ContentLanguage>;
	bodyShort?: Partial<ContentLanguage>;
}

/**
 * MNotify's PUT replaces the whole template, so the current one is read first and only the
 * fields the user set are changed. Translations are kept as stored.
 */
export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<ItemTask> {
	const id = readTemplateId(this, itemIndex);
	const changes = readParameter(this, 'updateFields', itemIndex, {}) as IDataObject;
	// Check the fields given now, before any request; the merged template is checked again below.
	buildTemplateRequest({
		name: changes.name ?? 'unchanged',
		description: changes.description ?? '',
		content: {
			subject: changes.subject ?? 'unchanged',
			body: changes.body ?? 'unchanged',
			shortBody: changes.shortBody ?? '',
		},
	});
	return async () => {
		const current = ((await getTemplate.call(this, id, itemIndex)) ?? {}) as StoredTemplate;
		const merged = (part: 'subject' | 'body' | 'bodyShort', field: string) =>
			changes[field] ?? current[part]?.ro ?? '';
		const translations: ContentInput['translations'] = (['ru', 'en'] as const).map((language) => ({
			language,
			subject: current.subject?.[language],
			body: current.body?.[language],
			shortBody: current.bodyShort?.[language],
		}));
		const request = buildTemplateRequest({
			name: changes.name ?? current.name,
			description: changes.description ?? current.description ?? '',
			content: {
				subject: merged('subject', 'subject'),
				body: merged('body', 'body'),
				shortBody: merged('bodyShort', 'shortBody'),
				translations,
			},
		});
		const answer = await mnotifyApiRequest.call(this, {
			method: 'PUT',
			path: `/api/template/${id}`,
			body: request,
			action: `update template ${id}`,
			itemIndex,
		});
		return { id: readReturnedId(answer) ?? id, ...request };
	};
}
