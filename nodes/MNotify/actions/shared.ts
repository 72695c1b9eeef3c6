import type { INodeProperties } from 'n8n-workflow';

import { serializeTemplateVariables } from '../helpers/content';

import type { NodeParameters } from './parameters';

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout (Seconds)',
	name: 'timeoutSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 30,
	description: 'How long to wait for MNotify to answer each request',
};

/** Template variables from the panel (pairs or JSON), as the JSON string MNotify expects. */
export function readTemplateVariables(
	parameters: NodeParameters,
	itemIndex: number,
): string | undefined {
	const mode = parameters.read('variablesMode', itemIndex, 'keyValue') as 'keyValue' | 'json';
	if (mode === 'json') {
		return serializeTemplateVariables(
			mode,
			undefined,
			parameters.read('variablesJson', itemIndex, '{}'),
		);
	}
	const pairs = parameters.read('variables.variable', itemIndex, []) as Array<{
		name?: unknown;
		value?: unknown;
	}>;
	return serializeTemplateVariables(mode, pairs, undefined);
}
