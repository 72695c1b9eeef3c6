import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import type { ContentInput } from '../helpers/content';
import { SAFE_VERSION } from './versions';

type Cached = { constant: true; value: unknown } | { constant: false };

/**
 * The node's parameters for one execution, owned by the run: the router makes one per execution
 * and hands it to the operation. n8n evaluates a parameter anew for every item, which on a fast
 * network costs more than the request itself. A parameter without expressions has the same value
 * for every item, so it is evaluated once and reused; parameters with expressions are read per item.
 */
export class NodeParameters {
	private readonly cache = new Map<string, Cached>();

	/** As saved, expressions not evaluated (n8n's getNode() copies them at every call). */
	private readonly saved: INodeParameters;

	/** The node was added in version 1 (versions.ts): the version's behaviour is kept for it. */
	readonly isVersion1: boolean;

	constructor(readonly context: IExecuteFunctions) {
		const node = context.getNode();
		this.saved = node.parameters;
		this.isVersion1 = node.typeVersion < SAFE_VERSION;
	}

	read<T = unknown>(
		name: string,
		itemIndex: number,
		fallback?: unknown,
		options?: { extractValue?: boolean },
	): T {
		const read = () =>
			this.context.getNodeParameter(name, itemIndex, fallback as never, options) as unknown as T;
		const key = `${name}${options?.extractValue ? '#value' : ''}`;
		let cached = this.cache.get(key);
		if (!cached) {
			cached = this.holdsExpression(name) ? { constant: false } : { constant: true, value: read() };
			this.cache.set(key, cached);
		}
		return cached.constant ? (cached.value as T) : read();
	}

	/** Whether a parameter holds an expression, i.e. may have a different value for every item. */
	holdsExpression(name: string): boolean {
		return containsExpression(this.savedValue(name));
	}

	/** A parameter as saved, e.g. "bulkSafety.dedupeKey": an expression is not evaluated. */
	savedValue(path: string): unknown {
		return path
			.split('.')
			.reduce<unknown>(
				(value, key) =>
					value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
				this.saved,
			);
	}
}

function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (value && typeof value === 'object') return Object.values(value).some(containsExpression);
	return false;
}

/** The texts as the panel holds them (Romanian fields plus translations): Send and template create. */
export function readTextContent(parameters: NodeParameters, itemIndex: number): ContentInput {
	return {
		subject: parameters.read('subject', itemIndex, ''),
		body: parameters.read('body', itemIndex, ''),
		shortBody: parameters.read('shortBody', itemIndex, ''),
		translations: parameters.read(
			'translations.translation',
			itemIndex,
			[],
		) as ContentInput['translations'],
	};
}
