import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listPageProblem } from '../helpers/answers';
import { DEFAULT_PAGE_SIZE, type ListQuery } from '../helpers/interfaces';
import { timeOf } from '../helpers/statusChanges';
import type { RequestSettings } from './client';
import type { MNotifyConnection } from './request';

export interface ListRequest {
	path: string;
	action: string;
	query: ListQuery;
	/** Stop after this many results; undefined walks every page. */
	limit?: number;
	/**
	 * Only entries created after this time (ms). The list must be ordered by `createdAt`, newest
	 * first: the walk stops at the first page that reaches older entries.
	 */
	createdAfter?: number;
	itemIndex?: number;
	settings?: RequestSettings;
}

/** A Return All that would read more pages than this is stopped with an error, not left to run. */
export const MAX_PAGES = 10_000;

/**
 * The pages of a list, in order. MNotify returns bare arrays without a total (docs/contract.md
 * §4), and a server may give fewer entries per page than asked (a lower cap of its own), so a
 * short page only ends the walk when it is shorter than an earlier page; otherwise the walk ends
 * at an empty page. A page seen before (a server that ignores Page) or more than MAX_PAGES
 * pages end it with an error, never silently. Only one page is held at a time.
 */
export async function* listPages(
	connection: MNotifyConnection,
	request: ListRequest,
): AsyncGenerator<IDataObject[]> {
	const pageSize = request.query.ItemsPerPage ?? DEFAULT_PAGE_SIZE;
	const firstPage = request.query.Page ?? 1;
	const seenPages = new Set<string>();
	let longestPage = 0;
	for (let page = firstPage; ; page++) {
		if (page - firstPage === MAX_PAGES) {
			throw listError(
				connection,
				request,
				`MNotify still had more after ${MAX_PAGES} pages while reading all results`,
				'Turn off Return All and use Limit, or narrow the list (e.g. Created After).',
			);
		}
		const body = await connection.request({
			method: 'GET',
			path: request.path,
			query: { ...request.query, Page: page, ItemsPerPage: pageSize },
			action: request.action,
			itemIndex: request.itemIndex,
			settings: request.settings,
		});
		const problem = listPageProblem(body);
		if (problem) {
			throw listError(
				connection,
				request,
				`MNotify's answer to the request to ${request.action} is not a list of entries: ${problem}`,
				'Check that the credential points at the MNotify API (…:8443), not another service.',
			);
		}
		const entries = body as IDataObject[];
		if (entries.length === 0) return;
		const fingerprint = createHash('sha256').update(JSON.stringify(entries)).digest('hex');
		if (seenPages.has(fingerprint)) {
			// A server that ignores Page would otherwise make Return All loop forever.
			throw listError(
				connection,
				request,
				`MNotify returned the same page twice while reading all results (page ${page})`,
				'The server seems to ignore the page number. Turn off Return All and use Limit instead.',
			);
		}
		seenPages.add(fingerprint);

		const window = request.createdAfter;
		if (window === undefined) {
			yield entries;
		} else {
			const newer = entries.filter((entry) => timeOf(entry.createdAt) > window);
			if (newer.length > 0) yield newer;
			if (newer.length < entries.length) return;
		}
		// A search by id has at most one result: no page of a lower cap can follow it.
		if (entries.length < longestPage || request.query.SearchBy) return;
		longestPage = Math.max(longestPage, entries.length);
	}
}

function listError(
	connection: MNotifyConnection,
	request: ListRequest,
	message: string,
	description: string,
): NodeOperationError {
	return new NodeOperationError(connection.context.getNode(), message, {
		description,
		itemIndex: request.itemIndex,
	});
}

/** Every result of a list, or the first `limit` of them. */
export async function fetchList(
	connection: MNotifyConnection,
	request: ListRequest,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	for await (const page of listPages(connection, request)) {
		const wanted = request.limit === undefined ? page.length : request.limit - results.length;
		results.push(...page.slice(0, wanted));
		if (request.limit !== undefined && results.length >= request.limit) break;
	}
	return results;
}
