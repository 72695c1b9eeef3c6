import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DEFAULT_PAGE_SIZE as PAGE_SIZE } from '../helpers/interfaces';
import { mnotifyApiRequest } from '../transport';

/** Templates for the Template picker, newest first, filtered by name as the user types. */
export async function searchTemplates(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const page = paginationToken ? Number(paginationToken) : 1;
	const body = await mnotifyApiRequest.call(this, {
		method: 'GET',
		path: '/api/template',
		query: { Page: page, ItemsPerPage: PAGE_SIZE, OrderField: 'createdAt desc' },
		action: 'list templates',
	});
	const templates = (Array.isArray(body) ? body : []) as Array<{ id?: string; name?: string }>;
	const needle = (filter ?? '').toLowerCase();
	return {
		results: templates
			.filter((template) => typeof template.id === 'string')
			.filter((template) => !needle || (template.name ?? '').toLowerCase().includes(needle))
			.map((template) => ({ name: template.name || template.id!, value: template.id! })),
		paginationToken: templates.length === PAGE_SIZE ? String(page + 1) : undefined,
	};
}
