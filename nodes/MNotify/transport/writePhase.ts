import type { Dispatcher } from 'undici';

/**
 * Knowing whether a failed request may have left this machine decides whether a send may be
 * retried. Error codes cannot tell: ETIMEDOUT, EHOSTUNREACH or ECONNRESET arrive on a connection
 * that has already carried the request as well as on one that never opened. The phase can:
 * undici hands a request to its handler's start (`onRequestStart`, `onConnect` in its older
 * interface) only once the request sits on an established connection (TLS done, through a proxy's
 * tunnel when there is one), just before writing it. A request that failed before that point
 * never had a byte written.
 */
const handedToConnection = new WeakSet<object>();

type Handler = Dispatcher.DispatchHandler;

/** The pool, with every request's start on a connection remembered (see wasHandedToConnection). */
export function markingWrites(pool: Dispatcher): Dispatcher {
	return pool.compose(
		(dispatch) => (options, handler) => dispatch(options, marking(options, handler as Handler)),
	);
}

/** Whether the request made with these options reached a connection (and so may have left). */
export function wasHandedToConnection(options: object): boolean {
	return handedToConnection.has(options);
}

function marking(options: object, handler: Handler): Handler {
	return {
		onRequestStart: (controller, context) => {
			handedToConnection.add(options);
			return handler.onRequestStart?.(controller, context);
		},
		onRequestUpgrade: (...args) => handler.onRequestUpgrade?.(...args),
		onResponseStart: (...args) => handler.onResponseStart?.(...args),
		onResponseData: (...args) => handler.onResponseData?.(...args),
		onResponseEnd: (...args) => handler.onResponseEnd?.(...args),
		onResponseError: (...args) => handler.onResponseError?.(...args),
	};
}
