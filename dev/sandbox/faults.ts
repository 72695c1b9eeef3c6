/**
 * Injected failures, so clients can prove their retry and error handling. Each injected fault is
 * matched against incoming requests in injection order; the first match is used up.
 */
import { STATUS_CODES } from 'node:http';
import { jsonResponse, type SandboxResponse, textResponse } from './responses';
import { normalizePath } from './router';

export type SandboxFault =
	| { kind: 'delay'; ms: number }
	| {
			kind: 'status';
			status: 429 | 500 | 502 | 503;
			retryAfterSeconds?: number;
			plainText?: boolean;
	  }
	/**
	 * before-body: the socket is destroyed as soon as the headers arrive (nothing stored).
	 * during-body: destroyed once the first chunk of the body arrived (nothing stored).
	 * after-body: the request is processed (a notification IS stored), then the socket is
	 * destroyed instead of answering.
	 */
	| { kind: 'reset'; when: 'before-body' | 'during-body' | 'after-body' }
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
			return `delay ${fault.ms}ms`;
		case 'status':
			return `status ${fault.status}`;
		case 'reset':
			return `reset ${fault.when}`;
		default:
			return fault.kind;
	}
}

const PROXY_ERROR_PAGE =
	'<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>' +
	'<body><h1>Bad Gateway</h1><p>The upstream MNotify service did not answer.</p></body></html>';

/** The response that replaces normal processing, for faults that answer instead of MNotify. */
export function replacementResponse(fault: SandboxFault | undefined): SandboxResponse | undefined {
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
