import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE } from '../helpers/interfaces';
import { buildListQuery, positiveInteger } from '../helpers/requestBuilders';
import { checkOptionValues, InputError } from '../helpers/validation';
import { readTimeoutSettings, type ListRequest } from '../transport';
import { timeoutOption } from './shared';

/** Get Many (notifications): a window of recent notifications, read newest first. */
export const createdAfterOption: INodeProperties = {
	displayName: 'Created After',
	name: 'createdAfter',
	type: 'dateTime',
	default: '',
	description:
		'Only notifications created after this moment. They are read newest first, and reading stops at the first older one, so a window of recent notifications costs few requests.',
};

/** Reads Return All, Limit and the list options shared by both Get Many operations. */
export function readListRequest(
	context: IExecuteFunctions,
	itemIndex: number,
	path: string,
	action: string,
): ListRequest {
	const returnAll = context.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const options = checkOptionValues(context.getNodeParameter('options', itemIndex, {}), [
		timeoutOption,
	]);
	const createdAfter = readCreatedAfter(options);
	const query = buildListQuery({
		page: options.page ?? 1,
		itemsPerPage: options.itemsPerPage ?? DEFAULT_PAGE_SIZE,
		orderField: options.orderField ?? 'createdAt',
		descending: options.descending ?? true,
		searchById: options.searchById,
	});
	if (createdAfter !== undefined && query.OrderField !== 'createdAt desc') {
		throw new InputError(
			'Options › Created After',
			'Created After needs the list ordered by Created At, newest first',
			'Remove the Order By and Newest First options, or set them to Created At and on.',
		);
	}
	return {
		path,
		action,
		query,
		settings: readTimeoutSettings(options),
		limit: returnAll
			? undefined
			: positiveInteger(context.getNodeParameter('limit', itemIndex, 50), 'Limit'),
		createdAfter,
		itemIndex,
	};
}

/** The option as milliseconds: n8n gives an ISO text, an expression may give a date object. */
function readCreatedAfter(options: IDataObject): number | undefined {
	const raw = options.createdAfter as unknown;
	if (raw === undefined || raw === null || raw === '') return undefined;
	let time = NaN;
	if (typeof raw === 'string') time = Date.parse(raw);
	else if (typeof raw === 'number') time = raw;
	else if (raw instanceof Date) time = raw.getTime();
	else if (typeof (raw as { toMillis?: unknown }).toMillis === 'function') {
		time = (raw as { toMillis: () => number }).toMillis();
	}
	if (!Number.isFinite(time)) {
		throw new InputError(
			'Options › Created After',
			`Options › Created After "${String(raw).slice(0, 40)}" is not a date`,
			'Give a date and time such as 2025-11-10T09:00:00Z, or an expression such as {{ $now.minus(1, "day") }}.',
		);
	}
	return time;
}
