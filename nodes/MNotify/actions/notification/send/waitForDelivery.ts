import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readNotificationDetails } from '../../../helpers/answers';
import { DEFAULT_CONCURRENCY, pause, runWithConcurrency } from '../../../helpers/pacing';
import type { NotificationDetails } from '../../../helpers/interfaces';
import { FINAL_STATUSES } from '../../../helpers/interfaces';
import { flattenMessages, hasReachedAny } from '../../../helpers/responses';
import {
	isRetryableStatus,
	messageOf,
	readTimeoutSettings,
	requestFacts,
	type MNotifyConnection,
} from '../../../transport';
import type { ItemOutcome } from '../../types';
import type { SendOptions } from './send.options';

/** One sent notification being waited for. */
interface Watched {
	outcome: ItemOutcome;
	sent: IDataObject;
	id: string;
	/** The last status read failed in a way worth trying again next round (network, 429, 5xx). */
	lastError?: string;
}

/**
 * Wait for delivery: poll every sent notification in rounds until each reaches a wanted status
 * or the Wait Timeout passes. The timeout is a deadline: the last round runs at it, and no status
 * read may run past it by more than a second. Between rounds nothing runs (a timer, not a busy
 * loop), and n8n's Stop ends the wait at once.
 */
export async function waitForDelivery(
	this: IExecuteFunctions,
	connection: MNotifyConnection,
	outcomes: ItemOutcome[],
	options: SendOptions,
): Promise<void> {
	const targets = options.waitUntilStatuses?.length
		? options.waitUntilStatuses
		: [...FINAL_STATUSES];
	const intervalMs = (options.pollIntervalSeconds ?? 5) * 1000;
	const startedAt = Date.now();
	const deadline = startedAt + (options.waitTimeoutSeconds ?? 300) * 1000;
	const requestTimeoutSeconds = readTimeoutSettings(options).timeoutSeconds;
	const stopSignal = this.getExecutionCancelSignal?.();

	let waiting: Watched[] = outcomes.flatMap((outcome) => {
		const sent = outcome.output?.[0];
		return !outcome.error && sent && typeof sent.id === 'string'
			? [{ outcome, sent, id: sent.id }]
			: [];
	});
	const all = [...waiting];
	while (waiting.length > 0) {
		const remainingSeconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
		// Each read ends by the deadline (a second's grace), and is not retried within the round.
		const settings = {
			timeoutSeconds: Math.min(requestTimeoutSeconds, remainingSeconds),
			maxRetries: 0,
		};
		const stillWaiting: Watched[] = [];
		await runWithConcurrency(
			waiting.length,
			options.concurrency ?? DEFAULT_CONCURRENCY,
			async (index) => {
				const watched = waiting[index];
				if (await readStatus(connection, watched, targets, settings)) stillWaiting.push(watched);
				return true;
			},
		);
		waiting = stillWaiting;
		const untilDeadline = deadline - Date.now();
		if (waiting.length === 0 || untilDeadline <= 0 || stopSignal?.aborted) break;
		if (!(await pause(Math.min(intervalMs, untilDeadline), stopSignal))) break;
	}

	const waitedSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
	for (const watched of all) {
		const { outcome, sent } = watched;
		if (watched.lastError) sent.waitError = watched.lastError;
		const waitInfo = { waitedSeconds, waitTimedOut: waiting.includes(watched) };
		Object.assign(sent, waitInfo);
		if (options.failedDeliveryIsError && sent.status === 'Failed') {
			failDelivery.call(this, watched);
		}
		if (options.output === 'messages' && !sent.waitError && !outcome.error) {
			const rows = flattenMessages(sent as NotificationDetails);
			if (rows.length > 0) outcome.output = rows.map((row) => ({ ...row, ...waitInfo }));
		}
	}
}

/**
 * Reads one notification's status into its output item. Answers whether to keep waiting for it.
 * An answer of the wrong shape, or a refusal (4xx), ends the wait for that item with `waitError`;
 * the id stays in the output whatever happens.
 */
async function readStatus(
	connection: MNotifyConnection,
	watched: Watched,
	targets: string[],
	settings: { timeoutSeconds: number; maxRetries: number },
): Promise<boolean> {
	const { sent, id } = watched;
	let answer: unknown;
	try {
		answer = await connection.request({
			method: 'GET',
			path: `/api/notification/${encodeURIComponent(id)}`,
			action: `read the status of notification ${id}`,
			itemIndex: watched.outcome.itemIndex,
			settings,
		});
	} catch (error) {
		watched.lastError = messageOf(error) || String(error);
		return worthAnotherRound(error);
	}
	const read = readNotificationDetails(answer);
	if (!read.ok) {
		watched.lastError = `MNotify's answer about notification ${id} could not be read: ${read.problem}`;
		return false;
	}
	watched.lastError = undefined;
	const { details } = read;
	Object.assign(sent, {
		status: details.status ?? sent.status,
		recipients: details.recipients ?? sent.recipients,
	});
	return !hasReachedAny(details.status, targets);
}

/** A passing fault (network, timeout, 429, 5xx) is read again next round; a 4xx is final. */
function worthAnotherRound(error: unknown): boolean {
	const status = requestFacts(error)?.httpStatus;
	return status === undefined || isRetryableStatus(status);
}

/** "Failed Delivery Is an Error": the item becomes an error, keeping the id and the statuses. */
function failDelivery(this: IExecuteFunctions, watched: Watched): void {
	const { outcome, sent, id } = watched;
	const failed = ((sent.recipients as NotificationDetails['recipients']) ?? [])
		.filter((recipient) => recipient.messages?.some((message) => message.status === 'Failed'))
		.map((recipient) => `${String(recipient.type)} ${String(recipient.value)}`);
	outcome.error = new NodeOperationError(
		this.getNode(),
		`Notification ${id} was not delivered: MNotify reports it Failed [item ${outcome.itemIndex}]`,
		{
			description: `It was sent (id ${id}); delivery failed${failed.length > 0 ? ` for ${failed.join(', ')}` : ''}. Check the recipients' contact data before sending it again.`,
			itemIndex: outcome.itemIndex,
		},
	);
	outcome.errorFields = { ...sent };
}
