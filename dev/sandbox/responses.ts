/**
 * Responses are plain values until the server writes them, so faults can still truncate, drop
 * or re-header a response that the endpoint already produced.
 */
import { newTraceId } from './wire';

export interface SandboxResponse {
	status: number;
	headers: Record<string, string>;
	body: string;
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_JSON = 'application/problem+json; charset=utf-8';

/** Thrown by endpoints to answer with something other than success. */
export class HttpError extends Error {
	constructor(readonly response: SandboxResponse) {
		super(`HTTP ${response.status}: ${response.body}`);
	}
}

export function textResponse(status: number, text: string): SandboxResponse {
	return { status, headers: { 'Content-Type': TEXT }, body: text };
}

export function jsonResponse(status: number, value: unknown): SandboxResponse {
	return { status, headers: { 'Content-Type': JSON_TYPE }, body: JSON.stringify(value) };
}

export function emptyResponse(
	status: number,
	headers: Record<string, string> = {},
): SandboxResponse {
	return { status, headers, body: '' };
}

/** Send answers with the id bare, as the docs' curl output shows it. */
export function bareUuidResponse(id: string): SandboxResponse {
	return textResponse(200, id);
}

/** Template writes answer with a JSON-quoted id, as the .NET client expects (D12). */
export function quotedUuidResponse(id: string): SandboxResponse {
	return jsonResponse(200, id);
}

/** The `{"message": ...}` shape the sandbox uses for every error except validation. */
export function messageError(status: number, message: string): HttpError {
	return new HttpError(jsonResponse(status, { message }));
}

export type FieldErrors = Record<string, string[]>;

/** ASP.NET's automatic 400: ValidationProblemDetails. */
export function validationProblem(errors: FieldErrors): HttpError {
	const problem = {
		type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
		title: 'One or more validation errors occurred.',
		status: 400,
		errors,
		traceId: newTraceId(),
	};
	return new HttpError({
		status: 400,
		headers: { 'Content-Type': PROBLEM_JSON },
		body: JSON.stringify(problem),
	});
}

export function unsupportedMediaType(): HttpError {
	const problem = {
		type: 'https://tools.ietf.org/html/rfc9110#section-15.5.16',
		title: 'Unsupported Media Type',
		status: 415,
		traceId: newTraceId(),
	};
	return new HttpError({
		status: 415,
		headers: { 'Content-Type': PROBLEM_JSON },
		body: JSON.stringify(problem),
	});
}
