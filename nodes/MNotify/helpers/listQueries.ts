/** The query of a list operation (page, size, order, search). */
import { type ListQuery, MAX_PAGE_SIZE } from './interfaces';
import { InputError, positiveInteger, requireText, validateUuid } from './checks';

export function buildListQuery(options: {
	page?: unknown;
	itemsPerPage?: unknown;
	orderField?: unknown;
	descending?: unknown;
	searchById?: unknown;
}): ListQuery {
	const query: ListQuery = {};
	if (options.page !== undefined) query.Page = positiveInteger(options.page, 'Start Page');
	if (options.itemsPerPage !== undefined) {
		query.ItemsPerPage = positiveInteger(options.itemsPerPage, 'Items Per Page', MAX_PAGE_SIZE);
	}
	const orderField = requireText(options.orderField, 'Order By', { optional: true }).trim();
	if (orderField !== '') {
		if (!/^[A-Za-z][A-Za-z0-9]*$/.test(orderField)) {
			throw new InputError(
				'Order By',
				`Order By "${orderField}" is not a field name`,
				'Use a field of the result such as createdAt or lastUpdatedAt.',
			);
		}
		query.OrderField = options.descending === true ? `${orderField} desc` : orderField;
	}
	const searchBy = requireText(options.searchById, 'Search By ID', { optional: true });
	if (searchBy !== '') query.SearchBy = validateUuid(searchBy, 'Search By ID');
	return query;
}
