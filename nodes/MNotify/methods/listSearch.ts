import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE as PAGE_SIZE } from '../helpers/interfaces';
import { withConnection } from '../transport';

type Listed = { id: string; name?: unknown; status?: unknown; createdAt?: unknown };
type ListSearch = (
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
) => Promise<INodeListSearchResult>;

/**
 * A resource locator's list: one page at a time, newest first, each entry shown by `describe`
 * and kept when its name contains what the user types (MNotify filters by id only).
 */
function newestFirst(
	path: string,
	action: string,
	describe: (entry: Listed) => string,
): ListSearch {
	return async function (this: ILoadOptionsFunctions, filter, paginationToken) {
		const page = paginationToken ? Number(paginationToken) : 1;
		const body = await withConnection(
			this,
			async (connection) =>
				await connection.request({
					method: 'GET',
					path,
					query: { Page: page, ItemsPerPage: PAGE_SIZE, OrderField: 'createdAt desc' },
					action,
				}),
		);
		const listed = (Array.isArray(body) ? body : []) as Array<Partial<Listed>>;
		const needle = (filter ?? '').toLowerCase();
		return {
			results: listed
				.filter((entry): entry is Listed => typeof entry.id === 'string')
				.map((entry) => ({ name: describe(entry), value: entry.id }))
				.filter((result) => result.name.toLowerCase().includes(needle)),
			paginationToken: listed.length === PAGE_SIZE ? String(page + 1) : undefined,
		};
	};
}

/** Templates for the Template picker, by name. */
export const searchTemplates = newestFirst('/api/template', 'list templates', (template) =>
	String(template.name || template.id),
);

/** Recent notifications for the Notification picker: no name, so date, status and id. */
export const searchNotifications = newestFirst(
	'/api/notification',
	'list notifications',
	(notification) =>
		[createdAt(notification.createdAt), notification.status, notification.id]
			.filter((part) => part !== undefined && part !== '')
			.join(' · '),
);

/** "2026-11-27 09:21 UTC" from MNotify's timestamp, or nothing if it has none. */
function createdAt(value: unknown): string | undefined {
	const date = typeof value === 'string' ? new Date(value) : undefined;
	return date && !Number.isNaN(date.getTime())
		? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
		: undefined;
}
