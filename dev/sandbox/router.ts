/** Minimal routing: case-insensitive paths, optional trailing slash, ASP.NET's 404/405. */
import type { Sender } from './model';
import { emptyResponse, type SandboxResponse } from './responses';
import type { SandboxState } from './state';

export interface RequestContext {
	state: SandboxState;
	sender: Sender;
	/** The `{id}` path segment, when the route has one. */
	id: string;
	query: URLSearchParams;
	body: Buffer;
	contentType?: string;
}

export type Handler = (context: RequestContext) => SandboxResponse;

export interface Route {
	/** Matched against the normalized (lower-case, no trailing slash) path; group 1 is `{id}`. */
	pattern: RegExp;
	handlers: Partial<Record<string, Handler>>;
}

/** ASP.NET's `{id:guid}` constraint: anything else in that segment matches no route (404). */
export const ID_SEGMENT = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';

export function normalizePath(pathname: string): string {
	const lowered = pathname.toLowerCase().replace(/\/+$/, '');
	return lowered === '' ? '/' : lowered;
}

export type RouteMatch = { handler: Handler; id: string } | { response: SandboxResponse };

export function matchRoute(routes: Route[], method: string, path: string): RouteMatch {
	for (const route of routes) {
		const match = route.pattern.exec(path);
		if (match === null) continue;
		const handler = route.handlers[method.toUpperCase()];
		if (handler === undefined) {
			const allow = Object.keys(route.handlers).join(', ');
			return { response: emptyResponse(405, { Allow: allow }) };
		}
		return { handler, id: match[1] ?? '' };
	}
	// ASP.NET answers unmatched routes with an empty 404.
	return { response: emptyResponse(404) };
}
