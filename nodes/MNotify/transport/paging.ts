import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE, type ListQuery } from '../helpers/interfaces';
import type { RequestSettings } from './client';
import { mnotifyApiRequest, type MNotifyContext } from './request';

export interface ListRequest {
	path: string;
	action: string;
	query: ListQuery;
	/** Stop after this many results; undefined walks every page. */
	limit?: number;
	itemIndex?: number;
	settings?: RequestSettings;
}

/**
 * The pages of a list, in order. MNotify returns bare arrays without a total (docs/contract.md
 * §4), so the walk ends at the first page shorter than the page size, or when the caller stops
 * asking. Only one page is held at a time.
 */
export async function* listPages(
	this: MNotifyContext,
	request: ListRequest,
): AsyncGenerator<IDataObject[]> {
	const pageSize = request.query.ItemsPerPage ?? DEFAULT_PAGE_SIZE;
	const firstPage = request.query.Page ?? 1;
	let previousFirstId: unknown;
	for (let page = firstPage; ; page++) {
		const body = await mnotifyApiRequest.call(this, {
			method: 'GET',
			path: request.path,
			query: { ...request.query, Page: page, ItemsPerPage: pageSize },
			action: request.action,
			itemIndex: request.itemIndex,
			settings: request.settings,
		});
		if (!Array.isArray(body)) {
			throw new NodeOperationError(
				this.getNode(),
				`MNotify answered the request to ${request.action} with something other than a list`,
				{
					description:
						'Check that the credential points at the MNotify API (…:8443), not another service.',
					itemIndex: request.itemIndex,
				},
			);
		}
		const firstId = (body[0] as IDataObject | undefined)?.id;
		if (page > firstPage && firstId !== undefined && firstId === previousFirstId) {
			// A server that ignores Page would otherwise make Return All loop forever.
			throw new NodeOperationError(
				this.getNode(),
				'MNotify returned the same page twice while reading all results',
				{ description: 'Turn off Return All and use Limit instead.', itemIndex: request.itemIndex },
			);
		}
		previousFirstId = firstId;
		yield body as IDataObject[];
		if (body.length < pageSize) return;
	}
}

/** Every result of a list, or the first `limit` of them. */
export async function fetchList(
	this: MNotifyContext,
	request: ListRequest,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	for await (const page of listPages.call(this, request)) {
		const wanted = request.limit === undefined ? page.length : request.limit - results.length;
		results.push(...page.slice(0, wanted));
		if (request.limit !== undefined && results.length >= request.limit) break;
	}
	return results;
}
