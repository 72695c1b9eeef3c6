import type { IExecuteFunctions, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { outcomeUnknown } from '../transport';
import type { ItemOutcome } from './types';

/**
 * What became of each item of a run that notifies people, for when the run stops part-way (a
 * failure, or n8n's Stop): nobody should be notified twice by a re-run, and no notification that
 * may exist should go unmentioned.
 */
export interface SendTally {
	sent: Array<{ itemIndex: number; id?: string }>;
	/** Items whose request may have been accepted: it failed after leaving, or was still running. */
	unknown: number[];
	notSent: number[];
}

export function tallySends(outcomes: ItemOutcome[], running: ReadonlySet<number>): SendTally {
	const tally: SendTally = { sent: [], unknown: [], notSent: [] };
	for (const outcome of outcomes) {
		if (outcome.sent) tally.sent.push({ itemIndex: outcome.itemIndex, id: outcome.sent.id });
		else if (running.has(outcome.itemIndex) || outcomeUnknown(outcome.error)) {
			tally.unknown.push(outcome.itemIndex);
		} else tally.notSent.push(outcome.itemIndex);
	}
	return tally;
}

/** Ids listed in an error or the custom data; beyond this, they are in n8n's log. */
const MAX_LISTED = 200;

function listSent(sent: SendTally['sent'], max = MAX_LISTED): string {
	const shown = sent
		.slice(0, max)
		.map(({ itemIndex, id }) => `item ${itemIndex} (${id ?? 'id not returned'})`);
	const more = sent.length - shown.length;
	return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** "items 3, 5–9": consecutive indexes written as ranges. */
export function itemRanges(indexes: number[]): string {
	const parts: string[] = [];
	for (let start = 0; start < indexes.length;) {
		let end = start;
		while (end + 1 < indexes.length && indexes[end + 1] === indexes[end] + 1) end++;
		parts.push(end === start ? String(indexes[start]) : `${indexes[start]}–${indexes[end]}`);
		start = end + 1;
	}
	return `${indexes.length === 1 && !parts[0].includes('–') ? 'item' : 'items'} ${parts.join(', ')}`;
}

/** What to do after a run stopped part-way, naming the setting that keeps a run going. */
const NEXT_STEP =
	'Next: fix the cause above, then run again only the items not sent (with Skip Already Notified on, a re-run skips those sent). To have failures become error items instead of stopping the run, keeping the sent ones as output with their ids, set the node\'s Settings › On Error to "Continue".';

/** Every item's fate, one short line each, and what may safely be sent again. */
export function describeTally(tally: SendTally): string[] {
	const lines: string[] = [];
	if (tally.sent.length > 0) {
		lines.push(
			`Sent, do not send again: ${tally.sent.length} (${itemRanges(tally.sent.map(({ itemIndex }) => itemIndex))}).`,
			`Their ids: ${listSent(tally.sent)}.`,
		);
	}
	if (tally.unknown.length > 0) {
		lines.push(
			`Outcome unknown, they may have been accepted: ${itemRanges(tally.unknown)}. Check them in Notification → Get Many (newest first) before sending any of them again.`,
		);
	}
	if (tally.notSent.length > 0) lines.push(`Not sent: ${itemRanges(tally.notSent)}.`);
	return lines;
}

/** The error a run stops with, naming every item that went out or may have, in short lines. */
export function withSendReport(
	error: NodeApiError | NodeOperationError,
	tally: SendTally,
): NodeApiError | NodeOperationError {
	if (tally.sent.length === 0 && tally.unknown.length === 0) return error;
	const report = ['This run stopped part-way.', ...describeTally(tally), NEXT_STEP].join('\n');
	error.description = [error.description, report].filter(Boolean).join('\n\n');
	return error;
}

/** n8n keeps at most 10 custom data entries per execution, each up to 512 characters. */
const CUSTOM_DATA_VALUE_LENGTH = 500;

function fitted(text: string): string {
	if (text.length <= CUSTOM_DATA_VALUE_LENGTH) return text;
	const more = " … (the rest is in n8n's log)";
	return `${text.slice(0, CUSTOM_DATA_VALUE_LENGTH - more.length)}${more}`;
}

interface CustomData {
	set(key: string, value: string): void;
}

/**
 * The execution's custom data: `this.customData` in n8n 2.x; n8n 1.x has only the expressions'
 * `$execution.customData`, which writes to the same place.
 */
function customDataOf(context: IExecuteFunctions): CustomData | undefined {
	try {
		const direct = (context as { customData?: CustomData }).customData;
		if (direct) return direct;
		const execution = context.getWorkflowDataProxy(0).$execution as
			{ customData?: CustomData } | undefined;
		return execution?.customData;
	} catch {
		return undefined;
	}
}

/**
 * After n8n's Stop the node's output is not kept, so what was sent is recorded where an operator
 * looks: the execution's custom data (saved with the stopped execution; shown in its list and
 * details) and n8n's log (every id). Called at the stop and again as running sends finish.
 */
export function recordStoppedRun(
	context: IExecuteFunctions,
	tally: SendTally,
	late?: string,
): void {
	const node = context.getNode().name;
	const summary = `${tally.sent.length} sent, ${tally.unknown.length} outcome unknown (still running or failed after leaving), ${tally.notSent.length} not sent`;
	const entries: Record<string, string> = {
		mnotify_stopped: fitted(`${node}: stopped; ${summary}`),
		mnotify_sent: fitted(listSent(tally.sent) || 'none'),
		mnotify_unknown: fitted(tally.unknown.length > 0 ? itemRanges(tally.unknown) : 'none'),
		mnotify_next: fitted(
			tally.unknown.length > 0
				? 'Check the outcome-unknown items in Notification → Get Many before sending them again; re-run the rest with Skip Already Notified on.'
				: 'Re-run with Skip Already Notified on: the items sent are skipped, the others go out.',
		),
	};
	const customData = customDataOf(context);
	for (const [key, value] of Object.entries(entries)) {
		try {
			customData?.set(key, value);
		} catch {
			// Custom data is a courtesy: the log below has everything.
		}
	}
	const sentIds = tally.sent
		.map(({ itemIndex, id }) => `item ${itemIndex}: ${id ?? 'id not returned'}`)
		.join(', ');
	context.logger.warn(
		`MNotify node "${node}" ${late ?? 'was stopped'}: ${summary}. Sent: ${sentIds || 'none'}. Outcome unknown: ${tally.unknown.length > 0 ? itemRanges(tally.unknown) : 'none'}.`,
		{ node, sent: tally.sent, outcomeUnknown: tally.unknown },
	);
}
