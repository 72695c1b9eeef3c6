/**
 * Injected failures, so clients can prove their retry and error handling. Each injected fault is
 * matched against incoming requests in injection order; the first match is used up.
 */
import { STATUS_CODES } from 'node:http';
import { jsonResponse, type SandboxResponse, textResponse } from './responses';
import { normalizePath } from './router';

export type SandboxFault =
	| { kind: 'delay'; ms: number }
	/** The request is processed (a notification IS stored) and the answer comes `ms` later. */
	| { kind: 'delay-answer'; ms: number }
	| {
			kind: 'status';
			status: 429 | 500 | 502 | 503;
			retryAfterSeconds?: number;
			plainText?: boolean;
			/** Held this long before the answer (so several can be under way at once). */
			delayMs?: number;
	  }
	/**
	 * before-body: the socket is destroyed as soon as the headers arrive (nothing stored).
	 * during-body: destroyed once the first chunk of the body arrived (nothing stored).
	 * after-read: the whole request was read, then the socket is destroyed (nothing stored).
	 * after-body: the request is processed (a notification IS stored), then the socket is
	 * destroyed instead of answering.
	 */
	| { kind: 'reset'; when: 'before-body' | 'during-body' | 'after-read' | 'after-body' }
	/** The request is processed, then never answered: the socket stays open until the client leaves. */
	| { kind: 'hold' }
	/** The request is processed; the answer's headers go out, then its body one byte every `intervalMs`. */
	| { kind: 'drip'; intervalMs: number }
	/** The request is processed and answered 200 with a JSON object of about `bytes` bytes. */
	| { kind: 'oversized'; bytes: number }
	/**
	 * Answers with this body (and status, 200 by default) instead of the real answer (wrong
	 * shapes: `null`, `42`, `[1,2]`, `{"recipients": 7}`…, or a huge error body). The request is
	 * processed first unless `process` is false.
	 */
	| { kind: 'body'; body: string; status?: number; contentType?: string; process?: boolean }
	/** A list endpoint that ignores `Page` and always answers the first page. */
	| { kind: 'ignore-page' }
	/** A list endpoint whose page size is capped lower than what the client asks for. */
	| { kind: 'page-size-cap'; max: number }
	/** The request is processed; the response declares more bytes than it sends, then closes. */
	| { kind: 'truncated-body' }
	/** 200 with an HTML page (a proxy's error page, say); the request is not processed. */
	| { kind: 'non-json' }
	/** The request is processed and answered with `Connection: close`. */
	| { kind: 'close-keepalive' };

export interface FaultMatch {
	/** Case-insensitive; any method when absent. */
	method?: string;
	/**
	 * A string matches the path exactly, ignoring case, a trailing slash and the query string.
	 * A RegExp is tested against the path as the client sent it (without the query string).
	 * Any path when absent.
	 */
	path?: string | RegExp;
	/** How many requests the fault applies to; default 1, `Infinity` for all. */
	times?: number;
}

interface PendingFault {
	fault: SandboxFault;
	method?: string;
	path?: string | RegExp;
	remaining: number;
}

function pathMatches(expected: string | RegExp | undefined, pathname: string): boolean {
	if (expected === undefined) return true;
	if (typeof expected === 'string') return normalizePath(expected) === normalizePath(pathname);
	expected.lastIndex = 0;
	return expected.test(pathname);
}

export class FaultInjector {
	private pending: PendingFault[] = [];

	inject(fault: SandboxFault, match: FaultMatch = {}): void {
		const remaining = match.times ?? 1;
		if (!(remaining > 0)) throw new RangeError(`times must be positive, got ${match.times}`);
		this.pending.push({
			fault,
			method: match.method?.toUpperCase(),
			path: match.path,
			remaining,
		});
	}

	/** The fault for this request, if one matches; using it counts against its `times`. */
	take(method: string, pathname: string): SandboxFault | undefined {
		const found = this.pending.find(
			(candidate) =>
				(candidate.method === undefined || candidate.method === method.toUpperCase()) &&
				pathMatches(candidate.path, pathname),
		);
		if (found === undefined) return undefined;
		found.remaining -= 1;
		if (found.remaining <= 0) this.pending = this.pending.filter((item) => item !== found);
		return found.fault;
	}

	clear(): void {
		this.pending = [];
	}
}

export function describeFault(fault: SandboxFault): string {
	switch (fault.kind) {
		case 'delay':
		case 'delay-answer':
			return `${fault.kind} ${fault.ms}ms`;
		case 'status':
			return `status ${fault.status}`;
		case 'reset':
			return `reset ${fault.when}`;
		case 'drip':
			return `drip every ${fault.intervalMs}ms`;
		case 'oversized':
			return `oversized ${fault.bytes} bytes`;
		case 'page-size-cap':
			return `page size capped at ${fault.max}`;
		default:
			return fault.kind;
	}
}

const PROXY_ERROR_PAGE =
	'<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>' +
	'<body><h1>Bad Gateway</h1><p>The upstream MNotify service did not answer.</p></body></html>';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The query a list endpoint sees under the paging faults. */
export function faultedQuery(
	fault: SandboxFault | undefined,
	query: URLSearchParams,
): URLSearchParams {
	if (fault?.kind !== 'ignore-page' && fault?.kind !== 'page-size-cap') return query;
	const rewritten = new URLSearchParams();
	for (const [name, value] of query) {
		const key = name.toLowerCase();
		if (fault.kind === 'ignore-page' && key === 'page') continue;
		if (fault.kind === 'page-size-cap' && key === 'itemsperpage') {
			rewritten.set(name, String(Math.min(Number(value) || fault.max, fault.max)));
			continue;
		}
		rewritten.append(name, value);
	}
	// ASP.NET's default page size (10) would differ from the cap: the cap applies to it too.
	if (fault.kind === 'page-size-cap' && !rewritten.has('ItemsPerPage')) {
		const asked = [...query].find(([name]) => name.toLowerCase() === 'itemsperpage');
		if (!asked) rewritten.set('ItemsPerPage', String(fault.max));
	}
	return rewritten;
}

/** The faults whose answer replaces the endpoint's, after it processed the request. */
export function answerAfterProcessing(
	fault: SandboxFault | undefined,
	processed: SandboxResponse,
): SandboxResponse {
	if (fault?.kind === 'oversized') {
		const padding = 'x'.repeat(Math.max(0, fault.bytes - 20));
		return {
			status: 200,
			headers: { 'Content-Type': JSON_TYPE },
			body: `{"padding":"${padding}"}`,
		};
	}
	if (fault?.kind === 'body') return replacedBody(fault);
	return processed;
}

function replacedBody(fault: {
	body: string;
	status?: number;
	contentType?: string;
}): SandboxResponse {
	return {
		status: fault.status ?? 200,
		headers: { 'Content-Type': fault.contentType ?? JSON_TYPE },
		body: fault.body,
	};
}

/** The response that replaces normal processing, for faults that answer instead of MNotify. */
export function replacementResponse(fault: SandboxFault | undefined): SandboxResponse | undefined {
	if (fault?.kind === 'body' && fault.process === false) return replacedBody(fault);
	if (fault?.kind === 'non-json') {
		return {
			status: 200,
			headers: { 'Content-Type': 'text/html; charset=utf-8' },
			body: PROXY_ERROR_PAGE,
		};
	}
	if (fault?.kind !== 'status') return undefined;
	const reason = `${fault.status} ${STATUS_CODES[fault.status] ?? ''}`.trim();
	const response = fault.plainText
		? textResponse(fault.status, `${reason} (injected by the MNotify sandbox)`)
		: jsonResponse(fault.status, { message: `${reason}: injected by the MNotify sandbox.` });
	if (fault.retryAfterSeconds !== undefined) {
		response.headers['Retry-After'] = String(fault.retryAfterSeconds);
	}
	return response;
}
