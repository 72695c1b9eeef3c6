import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { runWithConcurrency } from '../../helpers/concurrency';
import type { NotificationDetails } from '../../helpers/interfaces';
import { FINAL_STATUSES } from '../../helpers/interfaces';
import { flattenMessages, hasReachedAny } from '../../helpers/responses';
import { messageOf, mnotifyApiRequest, readTimeoutSettings } from '../../transport';
import type { ItemOutcome } from '../types';
import { concurrency, readOptions } from './send.options';

/**
 * Wait for delivery: poll every sent notification in rounds until each reaches a wanted status
 * or the timeout passes. Between rounds nothing runs (a timer, not a busy loop).
 */
export async function waitForDelivery(
	this: IExecuteFunctions,
	outcomes: ItemOutcome[],
): Promise<void> {
	const options = readOptions(this, 0);
	if (!options.waitForDelivery) return;
	const targets = options.waitUntilStatuses?.length
		? options.waitUntilStatuses
		: [...FINAL_STATUSES];
	const intervalMs = (options.pollIntervalSeconds ?? 5) * 1000;
	const deadline = Date.now() + (options.waitTimeoutSeconds ?? 300) * 1000;
	const startedAt = Date.now();
	const settings = readTimeoutSettings(options);

	let waiting = outcomes.filter((outcome) => typeof outcome.output?.[0]?.id === 'string');
	while (waiting.length > 0) {
		const stillWaiting: ItemOutcome[] = [];
		await runWithConcurrency(waiting.length, concurrency.call(this), async (index) => {
			const outcome = waiting[index];
			const sent = outcome.output![0];
			try {
				const details = (await mnotifyApiRequest.call(this, {
					method: 'GET',
					path: `/api/notification/${String(sent.id)}`,
					action: `read the status of notification ${String(sent.id)}`,
					itemIndex: outcome.itemIndex,
					settings,
				})) as NotificationDetails;
				Object.assign(sent, {
					status: details.status,
					recipients: details.recipients ?? sent.recipients,
				});
				if (!hasReachedAny(details.status, targets)) stillWaiting.push(outcome);
			} catch (error) {
				// The notification was sent; a failed status read must not hide that. Report it on the item.
				sent.waitError = messageOf(error) || String(error);
			}
			return true;
		});
		waiting = stillWaiting;
		if (waiting.length === 0 || Date.now() + intervalMs > deadline) break;
		await sleep(intervalMs);
	}
	const waitedSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
	for (const outcome of outcomes) {
		const sent = outcome.output?.[0];
		if (!sent || typeof sent.id !== 'string') continue;
		const waitInfo = { waitedSeconds, waitTimedOut: waiting.includes(outcome) };
		Object.assign(sent, waitInfo);
		if (options.output === 'messages' && !sent.waitError) {
			const rows = flattenMessages(sent as NotificationDetails);
			if (rows.length > 0) outcome.output = rows.map((row) => ({ ...row, ...waitInfo }));
		}
	}
}
