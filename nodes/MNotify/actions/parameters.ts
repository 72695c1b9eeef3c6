import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * n8n evaluates a parameter anew for every item, which on a fast network costs more than the
 * request itself. A parameter without expressions has the same value for every item, so it is
 * evaluated once per execution and reused; parameters with expressions are read per item.
 */
const valuesByExecution = new WeakMap<IExecuteFunctions, Map<string, { value: unknown }>>();

export function readParameter<T = unknown>(
	context: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback?: unknown,
	options?: { extractValue?: boolean },
): T {
	const read = () =>
		context.getNodeParameter(name, itemIndex, fallback as never, options) as unknown as T;
	let cache = valuesByExecution.get(context);
	if (!cache) {
		cache = new Map();
		valuesByExecution.set(context, cache);
	}
	const key = `${name}${options?.extractValue ? '#value' : ''}`;
	const cached = cache.get(key);
	if (cached) return cached.value as T;
	if (containsExpression(rawValue(context.getNode().parameters, name))) return read();
	const value = read();
	cache.set(key, { value });
	return value;
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
