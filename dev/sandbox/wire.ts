/** Wire-format helpers shared by every endpoint. */
import { randomBytes } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && UUID_PATTERN.test(value);
}

/** .NET prints DateTime with 7 fractional digits ("2025-11-10T09:21:58.1805991Z"); so do we. */
export function toDotNetTimestamp(epochMs: number): string {
	return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** W3C trace-context id, as ASP.NET puts into ProblemDetails.traceId. */
export function newTraceId(): string {
	return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
