import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE } from '../helpers/interfaces';
import { buildListQuery, positiveInteger } from '../helpers/requestBuilders';
import { readTimeoutSettings, type ListRequest } from '../transport';

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
