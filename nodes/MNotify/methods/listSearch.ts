import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE as PAGE_SIZE } from '../helpers/interfaces';
import { mnotifyApiRequest } from '../transport';

type Listed = { id?: unknown; name?: unknown; status?: unknown; createdAt?: unknown };

/** One page of a list, newest first, keeping the entries that have an id. */
async function newestFirst(
	context: ILoadOptionsFunctions,
	path: string,
	action: string,
	paginationToken: string | undefined,
): Promise<{ entries: Array<Listed & { id: string }>; nextPage?: string }> {
	const page = paginationToken ? Number(paginationToken) : 1;
	const body = await mnotifyApiRequest.call(context, {
		method: 'GET',
		path,
		query: { Page: page, ItemsPerPage: PAGE_SIZE, OrderField: 'createdAt desc' },
		action,
	});
	const listed = (Array.isArray(body) ? body : []) as Listed[];
	return {
		entries: listed.filter(
			(entry): entry is Listed & { id: string } => typeof entry.id === 'string',
		),
		nextPage: listed.length === PAGE_SIZE ? String(page + 1) : undefined,
	};
}

const matches = (filter: string | undefined, ...texts: unknown[]) =>
	!filter ||
	texts.some((text) =>
		String(text ?? '')
			.toLowerCase()
			.includes(filter.toLowerCase()),
	);

/** Templates for the Template picker, newest first, filtered by name as the user types. */
export async function searchTemplates(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { entries, nextPage } = await newestFirst(
		this,
		'/api/template',
		'list templates',
		paginationToken,
	);
	return {
		results: entries
			.filter((template) => matches(filter, template.name))
			.map((template) => ({ name: String(template.name || template.id), value: template.id })),
		paginationToken: nextPage,
	};
}

/**
 * Recent notifications for the Notification picker, newest first: they have no name, so each
 * shows when it was created, its status and its id; typing filters on any of them.
 */
export async function searchNotifications(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { entries, nextPage } = await newestFirst(
		this,
		'/api/notification',
		'list notifications',
		paginationToken,
	);
	return {
		results: entries
			.map((notification) => ({
				name: [createdAt(notification.createdAt), notification.status, notification.id]
					.filter((part) => part !== undefined && part !== '')
					.join(' · '),
				value: notification.id,
			}))
			.filter((result) => matches(filter, result.name)),
		paginationToken: nextPage,
	};
}

/** "2026-11-27 09:21" (UTC) from MNotify's timestamp, or nothing if it has none. */
function createdAt(value: unknown): string | undefined {
	const date = typeof value === 'string' ? new Date(value) : undefined;
	return date && !Number.isNaN(date.getTime())
		? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
		: undefined;
}
