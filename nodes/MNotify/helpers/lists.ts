import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { mnotifyApiRequest } from '../transport';
import { readTimeoutSettings, type RequestSettings } from '../transport/client';
import type { ListQuery } from './interfaces';
import { buildListQuery, positiveInteger } from './requestBuilders';
import { InputError } from './validation';

export const DEFAULT_PAGE_SIZE = 50;

export interface ListRequest {
	path: string;
	action: string;
	query: ListQuery;
	/** Stop after this many results; undefined walks every page. */
	limit?: number;
	itemIndex: number;
	settings?: RequestSettings;
}

/**
 * Reads a list page by page. MNotify returns bare arrays without a total (§4), so the walk ends
 * at the first page shorter than the page size. Only one page is held besides the results.
 */
export async function fetchList(
	this: IExecuteFunctions,
	request: ListRequest,
): Promise<IDataObject[]> {
	const pageSize = request.query.ItemsPerPage ?? DEFAULT_PAGE_SIZE;
	const results: IDataObject[] = [];
	let previousFirstId: unknown;
	for (let page = request.query.Page ?? 1; ; page++) {
		const wanted =
			request.limit === undefined ? pageSize : Math.min(pageSize, request.limit - results.length);
		const body = await mnotifyApiRequest.call(this, {
			method: 'GET',
			path: request.path,
			query: { ...request.query, Page: page, ItemsPerPage: pageSize },
			action: request.action,
			itemIndex: request.itemIndex,
			settings: request.settings,
		});
		if (!Array.isArray(body)) {
			throw new InputError(
				'Response',
				`MNotify answered the request to ${request.action} with something other than a list`,
				'Check that the credential points at the MNotify API (…:8443), not another service.',
			);
		}
		const firstId = (body[0] as IDataObject | undefined)?.id;
		if (page > (request.query.Page ?? 1) && firstId !== undefined && firstId === previousFirstId) {
			// A server that ignores Page would otherwise make Return All loop forever.
			throw new InputError(
				'Return All',
				'MNotify returned the same page twice while reading all results',
				'Turn off Return All and use Limit instead.',
			);
		}
		previousFirstId = firstId;
		results.push(...(body.slice(0, wanted) as IDataObject[]));
		const reachedLimit = request.limit !== undefined && results.length >= request.limit;
		if (body.length < pageSize || reachedLimit) return results;
	}
}

/** Reads Return All, Limit and the list options shared by both Get Many operations. */
export function readListRequest(
	context: IExecuteFunctions,
	itemIndex: number,
	path: string,
	action: string,
): ListRequest {
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const query = buildListQuery({
		page: options.page ?? 1,
		itemsPerPage: options.itemsPerPage ?? DEFAULT_PAGE_SIZE,
		orderField: options.orderField ?? 'createdAt',
		descending: options.descending ?? true,
		searchById: options.searchById,
	});
	return {
		path,
		action,
		query,
		settings: readTimeoutSettings(options),
		limit: returnAll
			? undefined
			: positiveInteger(context.getNodeParameter('limit', itemIndex, 50), 'Limit'),
		itemIndex,
	};
}
