import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { StoredTemplate } from '../../helpers/interfaces';
import { validateUuid } from '../../helpers/checks';
import type { MNotifyConnection, MNotifyContext } from '../../transport';
import type { NodeParameters } from '../parameters';

export function readTemplateId(parameters: NodeParameters, itemIndex: number): string {
	return validateUuid(
		parameters.read('templateId', itemIndex, '', { extractValue: true }),
		'Template',
	);
}

/** An id typed or mapped by hand is the usual cause: the list shows only templates that exist. */
export const TEMPLATE_NOT_FOUND =
	'No template with this id exists in this MNotify environment for this certificate. Pick it from the list (Template › From List), which shows the templates that exist, or check the id you gave.';

export async function getTemplate(
	connection: MNotifyConnection,
	id: string,
	itemIndex: number,
): Promise<unknown> {
	return await connection.request({
		method: 'GET',
		path: `/api/template/${id}`,
		action: `get template ${id}`,
		notFoundHint: TEMPLATE_NOT_FOUND,
		itemIndex,
	});
}

/**
 * The templates one execution reads, by id: a thousand sends with one template read it once (a
 * failure too, so a missing template is not asked for again by every item). Made once per run
 * and handed along. Reads only: never use it to merge an update.
 */
export class TemplateReads {
	private readonly templates = new Map<string, Promise<StoredTemplate>>();

	constructor(private readonly connection: MNotifyConnection) {}

	async read(id: string, itemIndex: number): Promise<StoredTemplate> {
		let template = this.templates.get(id);
		if (!template) {
			template = getTemplate(this.connection, id, itemIndex).then(asTemplate);
			this.templates.set(id, template);
		}
		try {
			return await template;
		} catch (error) {
			throw forItem(this.connection.context, error, itemIndex);
		}
	}
}

function asTemplate(body: unknown): StoredTemplate {
	return body && typeof body === 'object' && !Array.isArray(body) ? (body as StoredTemplate) : {};
}

/** The first item's error, told again for another item that uses the same template. */
function forItem(context: MNotifyContext, error: unknown, itemIndex: number): unknown {
	if (error instanceof NodeApiError) {
		return new NodeApiError(
			context.getNode(),
			{},
			{
				message: error.message,
				description: error.description ?? undefined,
				httpCode: error.httpCode ?? undefined,
				itemIndex,
			},
		);
	}
	if (error instanceof NodeOperationError) {
		return new NodeOperationError(context.getNode(), error.message, {
			description: error.description ?? undefined,
			itemIndex,
		});
	}
	return error;
}

/** A template's name for messages, or its id when it has none. */
export function templateName(template: StoredTemplate, id: string): string {
	return typeof template.name === 'string' && template.name.trim() !== '' ? template.name : id;
}
