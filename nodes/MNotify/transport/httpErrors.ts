import { preview } from '../helpers/checks';
import { ATTACHMENTS_LIMIT_IN_WORDS, LIMITS } from '../helpers/interfaces';
import type { Problem } from './problem';

/** MNotify's HTTP error answers (4xx, 5xx) as problems; failures without an answer are in networkErrors.ts. */
const MAX_SHOWN_BODY = 500;

/** Statuses that say "not now" rather than "no": worth asking again for a read, later. */
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;

export function isRetryableStatus(status: number): boolean {
	return RETRYABLE_STATUSES.has(status);
}

/** Retry-After in seconds or as an HTTP date, capped so a server cannot stall a workflow. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (!value) return undefined;
	const seconds = Number(value);
	const milliseconds = Number.isFinite(seconds)
		? seconds * 1000
		: new Date(value).getTime() - Date.now();
	if (!Number.isFinite(milliseconds)) return undefined;
	return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, milliseconds));
}

/** The useful text of an MNotify error body: JSON `message`, ProblemDetails `title`/`detail`/`errors`, or the raw text. */
export function summarizeErrorBody(text: string): { summary: string; parsed: unknown } {
	const trimmed = text.trim();
	if (trimmed === '') return { summary: '', parsed: undefined };
	let parsed: unknown;
	try {
		parsed = JSON.parse(trimmed);
	} catch {
		return { summary: preview(trimmed, MAX_SHOWN_BODY), parsed: trimmed };
	}
	if (typeof parsed === 'string') return { summary: preview(parsed, MAX_SHOWN_BODY), parsed };
	if (parsed === null || typeof parsed !== 'object')
		return { summary: preview(trimmed, MAX_SHOWN_BODY), parsed };

	const body = parsed as Record<string, unknown>;
	const parts: string[] = [];
	for (const key of ['message', 'title', 'detail']) {
		if (typeof body[key] === 'string' && body[key] !== '') parts.push(body[key] as string);
	}
	const fieldErrors = body.errors;
	if (fieldErrors && typeof fieldErrors === 'object') {
		for (const [field, messages] of Object.entries(fieldErrors as Record<string, unknown>)) {
			const list = Array.isArray(messages) ? messages.join(' ') : String(messages);
			parts.push(`${field}: ${list}`);
		}
	}
	return { summary: preview(parts.join(' — ') || trimmed, MAX_SHOWN_BODY), parsed };
}

export interface HttpContext {
	/** What the request was for, e.g. "cancel notification 1b2c…". */
	action: string;
	/** Explanation for 409, which means something different per operation. */
	conflictHint?: string;
	/** Explanation for 404, e.g. where to pick the id from. */
	notFoundHint?: string;
	/** How to check whether a write that may have been accepted was (e.g. a template create). */
	maybeAcceptedHint?: string;
}

/** Turns a non-2xx answer into a problem that says what it means for MNotify and what to do. */
export function describeHttpStatus(
	status: number,
	bodyText: string,
	context: HttpContext,
): Problem {
	const { summary, parsed } = summarizeErrorBody(bodyText);
	const said = summary ? ` MNotify said: ${summary}` : '';
	const base = { httpCode: status, responseBody: parsed };

	switch (status) {
		case 400:
			return {
				...base,
				message: `MNotify rejected the request to ${context.action} as invalid (400)`,
				description: `Check the fields it names against the MNotify rules (IDNP/IDNO of 13 digits, e-mail shape, Romanian text present, subject up to ${LIMITS.emailSubjectLength} characters, attachments).${said}`,
			};
		case 401:
			return {
				...base,
				message: 'MNotify did not accept this client certificate (401)',
				description: `The TLS connection worked, so the certificate is valid and trusted, but MNotify does not know its serial number for this environment, or this information system is not authorised. Ask MEGA to register the certificate (send them the .cer or its serial number) for the environment you chose in the credential.${said}`,
			};
		case 403:
			return {
				...base,
				message: `MNotify refused to ${context.action} (403)`,
				description: `This id belongs to another information system, or this action is not allowed on it. Use an id created with this certificate.${said}`,
			};
		case 404:
			return {
				...base,
				message: `Nothing found to ${context.action} (404)`,
				description: `${context.notFoundHint ?? 'Check the id: it must be a notification or template created in this MNotify environment.'}${said}`,
			};
		case 409:
			return {
				...base,
				message: `MNotify could not ${context.action}: conflict (409)`,
				description: `${context.conflictHint ?? 'The resource is in a state that does not allow this.'}${said}`,
			};
		case 413:
			return {
				...base,
				message: 'The request is too large for MNotify (413)',
				description: `Attachments may total at most ${ATTACHMENTS_LIMIT_IN_WORDS}. Send fewer or smaller files.${said}`,
			};
		case 429:
			return {
				...base,
				message: 'MNotify is limiting the request rate (429)',
				description: `Lower the node's concurrency or spread the sends over time, then run again.${said}`,
			};
		default:
			if (status >= 500) {
				return {
					...base,
					message: `MNotify had a server error (${status})`,
					description: context.maybeAcceptedHint
						? `The request may or may not have been accepted: ${context.maybeAcceptedHint} If this persists, contact MEGA.${said}`
						: `Try again later. If it persists, contact MEGA support.${said}`,
				};
			}
			return {
				...base,
				message: `MNotify answered ${status} to the request to ${context.action}`,
				description: summary || 'No details were given.',
			};
	}
}
