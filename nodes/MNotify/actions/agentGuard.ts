/**
 * "Allow AI Agents in Production": an AI agent using the node as a tool changes nothing in
 * Production (sends, cancels, template changes) unless the workflow author opted in. Reads are
 * always allowed. The router checks it once per run for every operation that declares `writes`.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, reachesProduction, type MNotifyCredentials } from '../transport';
import type { NodeParameters } from './parameters';

/** Where the writing operations keep the opt-in: Options, or Send's AI Agent group (node version 1.1). */
const OPT_IN_PARAMETERS = [
	'options.allowProductionFromAgents',
	'aiAgent.allowProductionFromAgents',
];

export const allowProductionFromAgentsOption: INodeProperties = {
	displayName: 'Allow AI Agents in Production',
	name: 'allowProductionFromAgents',
	type: 'boolean',
	default: false,
	description:
		'Whether an AI agent using this node as a tool may make this change with a Production credential. Off by default so an agent cannot notify citizens or change what they receive by mistake.',
};

/** The options of a writing operation that has no others: the opt-in alone. */
export const agentWriteOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [allowProductionFromAgentsOption],
};

/**
 * Refuses the run of an AI agent's tool call, before anything is prepared or sent, when the agent
 * would `write` (e.g. "send a notification") with a Production credential and the author did not
 * allow it. The router calls it for agents' calls only.
 */
export async function checkAgentWrite(
	this: IExecuteFunctions,
	write: string,
	parameters: NodeParameters,
): Promise<void> {
	const credentials = await this.getCredentials<MNotifyCredentials>(CREDENTIAL_TYPE);
	if (!reachesProduction(credentials)) return;
	if (OPT_IN_PARAMETERS.some((path) => parameters.read(path, 0, false) === true)) return;
	throw new NodeOperationError(
		this.getNode(),
		`An AI agent tried to ${write} with a Production credential`,
		{
			description:
				'Changes by agents (sends, cancels, template changes) are limited to Testing unless the workflow author turns on "Allow AI Agents in Production" in the node options (AI Agent, for Send). Nothing was sent.',
		},
	);
}
