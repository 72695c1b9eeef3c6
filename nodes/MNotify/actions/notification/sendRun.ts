/**
 * One execution of Send with the bulk options: Dry Run, Send Only To, Skip Already
 * Notified (dedupe.ts) and Max Sends per Minute (rateLimit.ts). send.operation.ts asks it, per
 * item, whether and when to send, and tells it how each send ended.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { NotificationRequest, RecipientIdentifier } from '../../helpers/interfaces';
import { buildRecipients } from '../../helpers/requestBuilders';
import { InputError } from '../../helpers/validation';
import {
	CREDENTIAL_TYPE,
	outcomeUnknown,
	reachesProduction,
	retryAfterOf,
	type MNotifyCredentials,
} from '../../transport';
import { readParameter } from '../parameters';
import {
	DEFAULT_RETENTION_KEYS,
	DedupeRun,
	defaultDedupeKey,
	skippedOutput,
	type DedupeSettings,
	type SkipReason,
} from './dedupe';
import { dryRunOutput, withOnlyRecipient } from './dryRun';
import { SendPacer } from './rateLimit';
import {
	concurrency,
	optionLabel,
	optionPath,
	rawOption,
	readOptions,
	type SendOptions,
} from './send.options';

const TOO_MANY_REQUESTS = 429;

/** "1 notification", "3 notifications". */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The skip reasons in words, for the totals hint (the output keeps the codes for filters). */
const SKIP_WORDS: Record<SkipReason, string> = {
	alreadySent: 'already notified by an earlier run',
	outcomeUnknown:
		'left with an unknown outcome by an earlier run (check Notification → Get Many, then Re-Send Outcome Unknown)',
	duplicateInThisRun: 'repeated within this run',
};

const runs = new WeakMap<IExecuteFunctions, SendRun>();

/** The bulk state of this node execution, set up from the options of its first item. */
export function sendRunFor(context: IExecuteFunctions): SendRun {
	let run = runs.get(context);
	if (!run) {
		run = new SendRun(context, readOptions(context, 0));
		runs.set(context, run);
	}
	return run;
}

/** Ends the bulk state of this node execution, if it had any items. */
export async function closeSendRun(context: IExecuteFunctions): Promise<void> {
	await runs.get(context)?.close();
}

function dedupeSettings(options: SendOptions): DedupeSettings {
	return {
		scope: options.dedupeScope === 'workflow' ? 'workflow' : 'node',
		retention:
			options.dedupeRetention === 'days'
				? { kind: 'days', days: Math.max(1, Number(options.dedupeRetentionDays) || 30) }
				: {
						kind: 'entries',
						keys: Math.max(1, Number(options.dedupeRetentionKeys) || DEFAULT_RETENTION_KEYS),
					},
		resendOutcomeUnknown: options.resendOutcomeUnknown === true,
	};
}

function testRecipient(
	context: IExecuteFunctions,
	options: SendOptions,
): RecipientIdentifier | undefined {
	const value = String(options.sendOnlyTo ?? '').trim();
	if (value === '') return undefined;
	try {
		return buildRecipients([{ type: options.sendOnlyToType ?? 'Email', value }])[0];
	} catch (error) {
		throw new NodeOperationError(
			context.getNode(),
			`${optionLabel(context, 'sendOnlyTo')}: ${error instanceof Error ? error.message : String(error)}`,
			{ description: error instanceof InputError ? error.hint : undefined },
		);
	}
}

export class SendRun {
	readonly dryRun: boolean;

	readonly testRecipient: RecipientIdentifier | undefined;

	/** Absent when dedupe is off, and in dry runs and test sends (they must not mark anyone). */
	readonly dedupe: DedupeRun | undefined;

	private readonly pacer: SendPacer;

	private readonly keyIsExpression: boolean;

	/** Dedupe keys by item, also shown by dry runs (which do not use them). */
	private readonly keys: Map<number, string> | undefined;

	private readonly skipped = new Map<SkipReason, number>();

	private sentCount = 0;

	private dryRunCount = 0;

	constructor(
		private readonly context: IExecuteFunctions,
		options: SendOptions,
	) {
		this.dryRun = options.dryRun === true;
		this.testRecipient = testRecipient(context, options);
		this.pacer = new SendPacer(Number(options.maxSendsPerMinute) || undefined);
		const rawKey = rawOption(context, 'dedupeKey');
		this.keyIsExpression = typeof rawKey === 'string' && rawKey.trim() !== '';
		const chunkSize = Math.min(100, Math.max(16, 8 * concurrency.call(context)));
		this.keys = options.dedupe === true ? new Map() : undefined;
		this.dedupe =
			this.keys && !this.dryRun && !this.testRecipient
				? new DedupeRun(context, dedupeSettings(options), chunkSize)
				: undefined;
	}

	/** Registers the dedupe key of an item that passed validation. */
	prepareItem(itemIndex: number, validated: NotificationRequest): void {
		if (!this.keys) return;
		const key = this.dedupeKey(itemIndex, validated);
		this.keys.set(itemIndex, key);
		this.dedupe?.register(itemIndex, key);
	}

	/** The request as it goes out: to the test recipient only, with Send Only To. */
	outgoing(request: NotificationRequest): NotificationRequest {
		return withOnlyRecipient(request, this.testRecipient);
	}

	/** Runs before the POST: the output of an item that is not to be sent, or undefined to send it. */
	async beforeSend(
		itemIndex: number,
		request: NotificationRequest,
	): Promise<IDataObject | undefined> {
		if (this.dryRun) {
			this.dryRunCount++;
			return dryRunOutput(request, this.dedupeKeyOf(itemIndex));
		}
		if (this.dedupe) {
			const verdict = await this.dedupe.verdict(itemIndex);
			if (!verdict.send) return this.skip(verdict.reason, itemIndex, request);
		}
		await this.pacer.waitForTurn();
		if (this.context.getExecutionCancelSignal?.()?.aborted) {
			throw new Error('The execution was stopped before this notification was sent; not sent.');
		}
		this.dedupe?.posting(itemIndex);
		return undefined;
	}

	/** MNotify accepted the send; returns fields to add to the item's output. */
	sent(itemIndex: number): IDataObject {
		this.sentCount++;
		if (!this.dedupe) return this.testRecipient ? { sentOnlyTo: this.testRecipient } : {};
		this.dedupe.sent(itemIndex);
		return { dedupeKey: this.dedupeKeyOf(itemIndex) };
	}

	/**
	 * The send failed; the error stands. Unless its outcome is unknown (a 4xx, or no connection),
	 * MNotify did not act on it (docs/contract.md R20): its dedupe claim is released, so a later
	 * run sends it. A 429 also slows the rest of the run (which goes on with Continue On Fail); the
	 * node never re-sends the item itself.
	 */
	failed(itemIndex: number, error: unknown): never {
		if (!outcomeUnknown(error)) this.dedupe?.refused(itemIndex);
		if (error instanceof NodeApiError && error.httpCode === String(TOO_MANY_REQUESTS)) {
			this.pacer.slowDown(retryAfterOf(error));
		}
		throw error;
	}

	/** After the last send: dedupe bookkeeping, and hints saying what was skipped or slowed. */
	async close(): Promise<void> {
		if (this.dedupe) {
			await this.dedupe.close();
			const { keys, capacity } = await this.dedupe.usage();
			if (keys > capacity / 2) {
				this.hint(
					`The dedupe store holds ${keys} of at most ${capacity} keys; the oldest are forgotten first. Raise "Dedupe Retention (Keys)" if runs are that large.`,
				);
			}
		}
		await this.totalsHint();
		if (this.pacer.slowDowns > 0) {
			this.hint(
				`MNotify asked to slow down ${this.pacer.slowDowns} time(s) (429); the run went on at ${this.pacer.sendsPerMinute} sends per minute.`,
			);
		}
	}

	/**
	 * Every run says what it did, in words: how many went out (to real people, or to the test
	 * recipient), how many were skipped and why. A manual run with a Production credential says
	 * so as a warning: clicking Execute step there notifies citizens.
	 */
	private async totalsHint(): Promise<void> {
		if (this.dryRun) {
			this.hint(
				`Dry run: nothing was sent. The output shows what would be sent for ${count(this.dryRunCount, 'item')}.`,
			);
			return;
		}
		const skipped = [...this.skipped].map(([reason, items]) => `${items} ${SKIP_WORDS[reason]}`);
		const notifications = count(this.sentCount, 'notification');
		const sent = this.testRecipient
			? `Sent ${notifications}, all to the test recipient ${this.testRecipient.value} only.`
			: `Sent ${notifications}.`;
		const notSent =
			skipped.length > 0 ? ` Not sent: ${skipped.join(', ')} (items with skipped: true).` : '';
		this.hint(`${sent}${notSent}`);
		if (this.sentCount === 0 || this.testRecipient || !(await this.manualOnProduction())) return;
		const again = this.dedupe
			? 'Skip Already Notified is on: running it again skips them.'
			: 'Running it again notifies them again: turn on Skip Already Notified, or use Dry Run while building.';
		this.hint(
			`Production: this manual run notified real people (${notifications}). ${again}`,
			'warning',
		);
	}

	private async manualOnProduction(): Promise<boolean> {
		if (this.context.getMode() !== 'manual') return false;
		try {
			const credentials = await this.context.getCredentials<MNotifyCredentials>(CREDENTIAL_TYPE);
			return reachesProduction(credentials);
		} catch {
			return false;
		}
	}

	/** A skipped item says whom it was for, so a Filter on `skipped` lists who was not notified. */
	private skip(reason: SkipReason, itemIndex: number, request: NotificationRequest): IDataObject {
		this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
		return {
			...skippedOutput(reason, this.dedupeKeyOf(itemIndex) ?? ''),
			recipients: request.recipients as unknown as IDataObject[],
		};
	}

	private hint(message: string, type: 'info' | 'warning' = 'info'): void {
		this.context.addExecutionHints?.({ message, type, location: 'outputPane' });
	}

	private dedupeKeyOf(itemIndex: number): string | undefined {
		return this.keys?.get(itemIndex);
	}

	private dedupeKey(itemIndex: number, request: NotificationRequest): string {
		if (!this.keyIsExpression) return defaultDedupeKey(request);
		const key = String(
			readParameter(this.context, optionPath(this.context, 'dedupeKey'), itemIndex, '') ?? '',
		).trim();
		if (key === '') {
			throw new InputError(
				optionLabel(this.context, 'dedupeKey'),
				'The dedupe key is empty for this item',
				'Make the expression give every item a value, e.g. {{ $json.idnp }}-{{ $json.dueDate }}, or clear the option to use a hash of the recipients and the content.',
			);
		}
		return key;
	}
}
