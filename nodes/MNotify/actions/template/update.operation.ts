import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { StoredTemplate } from '../../helpers/interfaces';
import { buildTemplateRequest, type ContentInput } from '../../helpers/content';
import { readReturnedId } from '../../transport';
import { agentWriteOptions } from '../agentGuard';
import { templateLocator } from '../common.descriptions';
import type { PrepareItem } from '../types';
import { templateFields } from './create.operation';
import { getTemplate, readTemplateId } from './shared';

const properties: INodeProperties[] = [
	templateLocator,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'The fields to change, translations included; the others keep their current value',
		options: templateFields.map((field) =>
			field.name === 'translations'
				? {
						...field,
						description:
							'Russian or English texts to set; a text left empty keeps its current value',
					}
				: { ...field, required: false },
		),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['template'], operation: ['update'] } },
	[...properties, agentWriteOptions],
);

export const writes = 'update a template';

type Translation = NonNullable<ContentInput['translations']>[number];
type Part = 'subject' | 'body' | 'shortBody';
const STORED_PART: Record<Part, 'subject' | 'body' | 'bodyShort'> = {
	subject: 'subject',
	body: 'body',
	shortBody: 'bodyShort',
};

/**
 * MNotify's PUT replaces the whole template, so the current one is read first and only the
 * fields the user set are changed, translations included; the result must be a complete
 * template (docs/contract.md §5.4).
 */
export const prepare: PrepareItem = async function (itemIndex, parameters, connection) {
	const id = readTemplateId(parameters, itemIndex);
	const changes = parameters.read('updateFields', itemIndex, {}) as IDataObject;
	const givenTranslations = ((changes.translations as IDataObject | undefined)?.translation ??
		[]) as Translation[];
	// Check the fields given now, before any request; the merged template is checked again below.
	const unchanged = 'unchanged';
	buildTemplateRequest({
		name: changes.name ?? unchanged,
		description: changes.description ?? unchanged,
		content: {
			subject: changes.subject ?? unchanged,
			body: changes.body ?? unchanged,
			shortBody: changes.shortBody ?? unchanged,
			translations: givenTranslations,
		},
	});
	return async () => {
		const current = ((await getTemplate(connection, id, itemIndex)) ?? {}) as StoredTemplate;
		const romanian = (part: Part) => changes[part] ?? current[STORED_PART[part]]?.ro ?? '';
		const translations = (['ru', 'en'] as const).map((language): Translation => {
			const given = givenTranslations.filter((translation) => translation.language === language);
			const text = (part: Part) =>
				given
					.map((translation) => translation[part])
					.filter(isGiven)
					.pop() ?? current[STORED_PART[part]]?.[language];
			return {
				language,
				subject: text('subject'),
				body: text('body'),
				shortBody: text('shortBody'),
			};
		});
		const request = buildTemplateRequest({
			name: changes.name ?? current.name,
			description: changes.description ?? current.description,
			content: {
				subject: romanian('subject'),
				body: romanian('body'),
				shortBody: romanian('shortBody'),
				translations,
			},
		});
		const answer = await connection.request({
			method: 'PUT',
			path: `/api/template/${id}`,
			body: request,
			action: `update template ${id}`,
			itemIndex,
		});
		return { id: readReturnedId(answer) ?? id, ...request };
	};
};

function isGiven(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '';
}
