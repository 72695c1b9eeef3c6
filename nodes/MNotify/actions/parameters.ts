import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * n8n evaluates a parameter anew for every item, which on a fast network costs more than the
 * request itself. A parameter without expressions has the same value for every item, so it is
 * evaluated once per execution and reused; parameters with expressions are read per item.
 */
type Cached = { constant: true; value: unknown } | { constant: false };
const parametersByExecution = new WeakMap<IExecuteFunctions, Map<string, Cached>>();

export function readParameter<T = unknown>(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback?: unknown,
	options?: { extractValue?: boolean },
): T {
	const read = () =>
		context.getNodeParameter(name, itemIndex, fallback as never, options) as unknown as T;
	let cache = parametersByExecution.get(context);
	if (!cache) {
		cache = new Map();
		parametersByExecution.set(context, cache);
	}
	const key = `${name}${options?.extractValue ? '#value' : ''}`;
	let cached = cache.get(key);
	if (!cached) {
		cached = containsExpression(rawValue(context.getNode().parameters, name))
			? { constant: false }
			: { constant: true, value: read() };
		cache.set(key, cached);
	}
	return cached.constant ? (cached.value as T) : read();
}

/** Whether a parameter holds an expression, i.e. may have a different value for every item. */
export function holdsExpression(context: IExecuteFunctions, name: string): boolean {
	return containsExpression(rawValue(context.getNode().parameters, name));
}

function rawValue(parameters: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(value, key) =>
				value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
			parameters,
		);
}

function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (value && typeof value === 'object') return Object.values(value).some(containsExpression);
	return false;
}
