import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, reachesProduction, type MNotifyCredentials } from '../../transport';
import { readRecipients } from './recipientsFromInput';
import { readOptions, type SendOptions } from './send.options';

/** n8n runs a node used by an AI agent as a tool under the node type name plus "Tool". */
function isAgentToolCall(context: IExecuteFunctions): boolean {
	return context.getNode().type.endsWith('Tool');
}

/** Invalid options are reported on their item; the strict defaults guard meanwhile. */
function optionsOrStrictDefaults(context: IExecuteFunctions): SendOptions {
	try {
		return readOptions(context, 0);
	} catch {
		return {};
	}
}

/**
 * Guard rails for AI agents: no Production sends unless the workflow author opted in, and a cap
 * on how many people one tool call may notify. Checked before anything is sent.
 */
export async function checkAgentGuardRails(
	this: IExecuteFunctions,
	itemCount: number,
): Promise<void> {
	if (!isAgentToolCall(this)) return;
	const options = optionsOrStrictDefaults(this);
	const credentials = await this.getCredentials<MNotifyCredentials>(CREDENTIAL_TYPE);
	if (reachesProduction(credentials) && !options.allowProductionFromAgents) {
		throw new NodeOperationError(
			this.getNode(),
			'An AI agent tried to send a notification with a Production credential',
			{
				description:
					'Sends from agents are limited to Testing unless the workflow author turns on "Allow AI Agents in Production" in the node options.',
			},
		);
	}
	// The cap counts recipient identifiers: the people a resolution policy reaches behind one
	// IDNO are MNotify's to count (the README says so).
	let recipients = 0;
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		recipients += readRecipients(this, itemIndex).length;
	}
	const limit = options.maxRecipientsPerAgentCall ?? 10;
	if (recipients > limit) {
		throw new NodeOperationError(
			this.getNode(),
			`An AI agent tried to notify ${recipients} recipients in one call; the limit is ${limit}`,
			{
				description:
					'Bulk notices belong in a workflow rather than an agent. Raise "Max Recipients per Agent Call" in the node options if this is intended.',
			},
		);
	}
}
