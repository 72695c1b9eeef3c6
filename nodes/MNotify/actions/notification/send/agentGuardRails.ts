import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isAgentToolCall } from '../../agentGuard';
import { readRecipients } from './recipientsFromInput';
import { readOptions, type SendOptions } from './send.options';

/** Invalid options are reported on their item; the strict defaults guard meanwhile. */
function optionsOrStrictDefaults(context: IExecuteFunctions): SendOptions {
	try {
		return readOptions(context, 0);
	} catch {
		return {};
	}
}

/**
 * The cap on how many people one agent's tool call may notify, checked before anything is sent.
 * (Production itself is guarded for every write by the router: agentGuard.ts.)
 */
export async function checkAgentRecipientCap(
	this: IExecuteFunctions,
	itemCount: number,
): Promise<void> {
	if (!isAgentToolCall(this)) return;
	// The cap counts recipient identifiers: the people a resolution policy reaches behind one
	// IDNO are MNotify's to count (the README says so).
	let recipients = 0;
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		recipients += readRecipients(this, itemIndex).length;
	}
	const limit = optionsOrStrictDefaults(this).maxRecipientsPerAgentCall ?? 10;
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
