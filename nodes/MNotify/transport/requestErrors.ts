import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * What a failed request tells the code above the transport, carried on its error: whether a write
 * may nevertheless have been carried out (the connection broke after the request was written, a
 * 5xx, an answer that is not MNotify's), MNotify's Retry-After, and the HTTP status if it answered.
 */
export interface RequestFacts {
	/** A write that may have been accepted although it failed: nobody should send it again blindly. */
	readonly outcomeUnknown: boolean;
	/** MNotify's Retry-After in milliseconds (e.g. on a 429): Send slows the rest of its run. */
	readonly retryAfterMs?: number;
	/** The HTTP status MNotify answered with; absent when no answer came. */
	readonly httpStatus?: number;
}

type ApiErrorOptions = ConstructorParameters<typeof NodeApiError>[2];
type OperationErrorOptions = ConstructorParameters<typeof NodeOperationError>[2];

/**
 * n8n names an error after its class in the execution's data and its log: ours keep n8n's names,
 * so a failed request reads as before.
 */
function keepName(error: Error, name: string): void {
	Object.defineProperty(error, 'name', {
		value: name,
		writable: true,
		enumerable: true,
		configurable: true,
	});
}

/** MNotify answered, with an error status or with something that is not its answer. */
export class MNotifyHttpError extends NodeApiError implements RequestFacts {
	readonly outcomeUnknown: boolean;

	readonly retryAfterMs?: number;

	readonly httpStatus: number;

	constructor(
		node: INode,
		body: JsonObject,
		options: ApiErrorOptions,
		facts: { httpStatus: number; outcomeUnknown: boolean; retryAfterMs?: number },
	) {
		super(node, body, options);
		keepName(this, 'NodeApiError');
		this.httpStatus = facts.httpStatus;
		this.outcomeUnknown = facts.outcomeUnknown;
		if (facts.retryAfterMs !== undefined) this.retryAfterMs = facts.retryAfterMs;
	}
}

/** No answer came: the connection, TLS, proxy or a timeout failed. */
export class MNotifyConnectionError extends NodeOperationError implements RequestFacts {
	readonly outcomeUnknown: boolean;

	constructor(
		node: INode,
		message: string,
		options: OperationErrorOptions,
		outcomeUnknown: boolean,
	) {
		super(node, message, options);
		keepName(this, 'NodeOperationError');
		this.outcomeUnknown = outcomeUnknown;
	}
}

/** The facts of a failed request, or undefined for any other error. */
export function requestFacts(error: unknown): RequestFacts | undefined {
	return error instanceof MNotifyHttpError || error instanceof MNotifyConnectionError
		? error
		: undefined;
}

/** Whether this error comes from a write that may nevertheless have been carried out. */
export function outcomeUnknown(error: unknown): boolean {
	return requestFacts(error)?.outcomeUnknown === true;
}
