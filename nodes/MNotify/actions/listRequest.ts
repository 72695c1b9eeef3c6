import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../helpers/interfaces';
import { checkOptionValues, positiveInteger, InputError, preview } from '../helpers/checks';
import { buildListQuery } from '../helpers/listQueries';
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
			`Options › Created After "${preview(String(raw))}" is not a date`,
			'Give a date and time such as 2025-11-10T09:00:00Z, or an expression such as {{ $now.minus(1, "day") }}.',
		);
	}
	return time;
}

/** How many results a list returns when not all (n8n's usual Limit field). */
export const limitOption: INodeProperties = {
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 50,
	description: 'Max number of results to return',
};

/** Return All / Limit and the list options shared by both Get Many operations. */
export function listProperties(
	orderFields: Array<{ name: string; value: string }>,
): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
		},
		{ ...limitOption, displayOptions: { show: { returnAll: [false] } } },
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Items Per Page',
					name: 'itemsPerPage',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: MAX_PAGE_SIZE },
					default: DEFAULT_PAGE_SIZE,
					description: 'How many results to ask MNotify for in each request',
				},
				{
					displayName: 'Newest First',
					name: 'descending',
					type: 'boolean',
					default: true,
					description: 'Whether to sort in descending order (newest first when ordering by a date)',
				},
				{
					displayName: 'Order By',
					name: 'orderField',
					type: 'options',
					options: orderFields,
					default: 'createdAt',
				},
				{
					displayName: 'Search By ID',
					name: 'searchById',
					type: 'string',
					default: '',
					description: 'Return only the item with this ID (MNotify filters by ID only)',
				},
				{
					displayName: 'Start Page',
					name: 'page',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 1,
					description: 'The first page to read (pages start at 1)',
				},
				timeoutOption,
			],
		},
	];
}
