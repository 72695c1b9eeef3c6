import type { IExecuteFunctions } from 'n8n-workflow';

import { validateUuid } from '../../helpers/validation';
import { mnotifyApiRequest } from '../../transport';
import { readParameter } from '../parameters';

export function readTemplateId(context: IExecuteFunctions, itemIndex: number): string {
	return validateUuid(
		readParameter(context, 'templateId', itemIndex, '', { extractValue: true }),
		'Template',
	);
}

export async function getTemplate(
	this: IExecuteFunctions,
	id: string,
	itemIndex: number,
): Promise<unknown> {
	return await mnotifyApiRequest.call(this, {
		method: 'GET',
		path: `/api/template/${id}`,
		action: `get template ${id}`,
		itemIndex,
	});
}
