/** Paging, ordering and search for the two list endpoints (§4, §12: Page starts at 1). */
import { FieldErrorCollector } from './validation/fieldErrors';
import { isUuid } from './wire';

export const DEFAULT_ITEMS_PER_PAGE = 10;
export const MAX_ITEMS_PER_PAGE = 100;

export interface ListQuery {
	page: number;
	itemsPerPage: number;
	orderField: string;
	descending: boolean;
	searchBy?: string;
}

/** ASP.NET binds query parameters case-insensitively. */
export function queryParameter(query: URLSearchParams, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of query) {
		if (key.toLowerCase() === wanted) return value;
	}
	return undefined;
}

function readPositiveInteger(
	raw: string | undefined,
	name: string,
	fallback: number,
	max: number,
	errors: FieldErrorCollector,
): number {
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!/^\d+$/.test(raw.trim()) || value < 1 || value > max) {
		errors.add(
			name,
			`The value '${raw}' is not valid for ${name}: use a whole number from 1 to ${max}.`,
		);
		return fallback;
	}
	return value;
}

function readOrder(
	raw: string | undefined,
	fields: readonly string[],
	errors: FieldErrorCollector,
): { orderField: string; descending: boolean } {
	const [name = 'id', direction = 'asc', ...rest] = (raw ?? '').trim().split(/\s+/).filter(Boolean);
	const orderField = fields.find((field) => field.toLowerCase() === name.toLowerCase());
	const validDirection = ['asc', 'desc'].includes(direction.toLowerCase()) && rest.length === 0;
	if (orderField === undefined || !validDirection) {
		errors.add(
			'OrderField',
			`'${raw}' is not a valid order. Use a property name (${fields.join(', ')}), optionally followed by ' desc'.`,
		);
		return { orderField: 'id', descending: false };
	}
	return { orderField, descending: direction.toLowerCase() === 'desc' };
}

/** Throws the 400 ProblemDetails for malformed paging parameters. */
export function readListQuery(query: URLSearchParams, orderFields: readonly string[]): ListQuery {
	const errors = new FieldErrorCollector();
	const page = readPositiveInteger(
		queryParameter(query, 'Page'),
		'Page',
		1,
		Number.MAX_SAFE_INTEGER,
		errors,
	);
	const itemsPerPage = readPositiveInteger(
		queryParameter(query, 'ItemsPerPage'),
		'ItemsPerPage',
		DEFAULT_ITEMS_PER_PAGE,
		MAX_ITEMS_PER_PAGE,
		errors,
	);
	const order = readOrder(queryParameter(query, 'OrderField'), orderFields, errors);
	errors.throwIfAny();
	const searchBy = queryParameter(query, 'SearchBy')?.trim();
	return { page, itemsPerPage, ...order, searchBy: searchBy === '' ? undefined : searchBy };
}

function compareValues(left: unknown, right: unknown): number {
	if (left === right) return 0;
	if (left === undefined || left === null) return -1;
	if (right === undefined || right === null) return 1;
	return String(left) < String(right) ? -1 : 1;
}

/** SearchBy is read as a UUID and matched against the id; anything else matches nothing. */
export function applyListQuery<T extends { id: string }>(items: T[], query: ListQuery): T[] {
	const wantedId = isUuid(query.searchBy) ? query.searchBy.toLowerCase() : undefined;
	const searched =
		query.searchBy === undefined ? items : items.filter((item) => item.id === wantedId);
	const key = query.orderField as keyof T;
	const direction = query.descending ? -1 : 1;
	const sorted = [...searched].sort(
		(left, right) =>
			direction * compareValues(left[key], right[key]) || compareValues(left.id, right.id),
	);
	const start = (query.page - 1) * query.itemsPerPage;
	return sorted.slice(start, start + query.itemsPerPage);
}
