import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isAgentToolCall } from '../../agentGuard';
import { readRecipients } from './recipientsFromInput';
import type { SendOptions } from './send.options';

/**
 * The cap on how many people one agent's tool call may notify, checked before anything is sent.
 * (Production itself is guarded for every write by the router: agentGuard.ts.)
 */
export function checkAgentRecipientCap(
	context: IExecuteFunctions,
	itemCount: number,
	options: SendOptions,
): void {
	if (!isAgentToolCall(context)) return;
	// The cap counts recipient identifiers: the people a resolution policy reaches behind one
	// IDNO are MNotify's to count (the README says so).
	let recipients = 0;
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		recipients += readRecipients(context, itemIndex).length;
	}
	const limit = options.maxRecipientsPerAgentCall ?? 10;
	if (recipients > limit) {
		throw new NodeOperationError(
			context.getNode(),
			`An AI agent tried to notify ${recipients} recipients in one call; the limit is ${limit}`,
			{
				description:
					'Bulk notices belong in a workflow rather than an agent. Raise "Max Recipients per Agent Call" in the node options if this is intended.',
			},
		);
	}
}
