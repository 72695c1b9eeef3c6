/**
 * The bulk safety of one Send run: Dry Run, Send Only To, Skip Already Notified (dedupe.ts) and
 * Max Sends per Minute (helpers/pacing.ts). The run (run.ts) asks it, per item, whether and when to
 * send, and tells it how each send ended.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { NotificationRequest, RecipientIdentifier } from '../../../helpers/interfaces';
import { InputError } from '../../../helpers/checks';
import {
	CREDENTIAL_TYPE,
	reachesProduction,
	requestFacts,
	type MNotifyConnection,
	type MNotifyCredentials,
} from '../../../transport';
import type { NodeParameters } from '../../parameters';
import { ProcessedDataLedger } from '../ledger';
import { dedupeRun, notSentForLedger } from './bulkSetup';
import { defaultDedupeKey, skippedOutput, type DedupeRun, type SkipReason } from './dedupe';
import { dryRunOutput, testRecipient } from './dryRun';
import { SendPacer } from '../../../helpers/pacing';
import { optionLabel, optionPath, rawOption, type SendOptions } from './send.options';

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

export class BulkSession {
	readonly dryRun: boolean;

	readonly testRecipient: RecipientIdentifier | undefined;

	/** Absent when dedupe is off, and in dry runs and test sends (they must not mark anyone). */
	readonly dedupe: DedupeRun | undefined;

	/** The credential's pace in this process (helpers/pacing.ts), found at the first send. */
	private pacer: SendPacer | undefined;

	private pacerLookup: Promise<SendPacer> | undefined;

	private readonly maxSendsPerMinute: number | undefined;

	/** When each item's send was let go by the pacer, to tell one burst of 429s from the next. */
	private readonly sentAt = new Map<number, number>();

	private slowDowns = 0;

	private readonly keyIsExpression: boolean;

	/** Dedupe keys by item, also shown by dry runs (which do not use them). */
	private readonly keys: Map<number, string> | undefined;

	private readonly skipped = new Map<SkipReason, number>();

	private sentCount = 0;

	private dryRunCount = 0;

	private readonly context: IExecuteFunctions;

	constructor(
		private readonly parameters: NodeParameters,
		private readonly connection: MNotifyConnection,
		options: SendOptions,
		concurrency: number,
	) {
		const context = parameters.context;
		this.context = context;
		this.dryRun = options.dryRun === true;
		// Code only an option needs runs only when it is set.
		this.testRecipient = options.sendOnlyTo ? testRecipient(parameters, options) : undefined;
		this.maxSendsPerMinute = Number(options.maxSendsPerMinute) || undefined;
		const rawKey = rawOption(parameters, 'dedupeKey');
		this.keyIsExpression = typeof rawKey === 'string' && rawKey.trim() !== '';
		const chunkSize = Math.min(100, Math.max(16, 8 * concurrency));
		this.keys = options.dedupe === true ? new Map() : undefined;
		this.dedupe =
			this.keys && !this.dryRun && !this.testRecipient
				? dedupeRun(context, options, chunkSize)
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
		return this.testRecipient ? { ...request, recipients: [this.testRecipient] } : request;
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
			const verdict = await this.dedupe.verdict(itemIndex).catch((error: unknown) => {
				throw notSentForLedger(this.context, error, itemIndex);
			});
			if (!verdict.send) return this.skip(verdict.reason, itemIndex, request);
		}
		const stopSignal = this.context.getExecutionCancelSignal?.();
		const turnAt = await (await this.sharedPacer()).waitForTurn(stopSignal);
		if (turnAt === undefined || stopSignal?.aborted) {
			throw new Error('The execution was stopped before this notification was sent; not sent.');
		}
		try {
			this.dedupe?.posting(itemIndex);
		} catch (error) {
			throw notSentForLedger(this.context, error, itemIndex);
		}
		this.sentAt.set(itemIndex, turnAt);
		return undefined;
	}

	/** The pace of this credential in this process, with this run's limit. */
	private async sharedPacer(): Promise<SendPacer> {
		if (this.pacer) return this.pacer;
		this.pacerLookup ??= this.connection
			.credentialKey()
			.then((key) => new SendPacer(key, this.maxSendsPerMinute));
		this.pacer = await this.pacerLookup;
		return this.pacer;
	}

	/** MNotify accepted the send; returns fields to add to the item's output. */
	sent(itemIndex: number, notificationId: string | undefined): IDataObject {
		this.sentAt.delete(itemIndex);
		this.sentCount++;
		if (!this.dedupe) return this.testRecipient ? { sentOnlyTo: this.testRecipient } : {};
		this.dedupe.sent(itemIndex, notificationId);
		return { dedupeKey: this.dedupeKeyOf(itemIndex) };
	}

	/**
	 * The send failed; the error stands. Unless its outcome is unknown (a 4xx, or no connection),
	 * MNotify did not act on it (docs/contract.md R20): its dedupe claim is released, so a later
	 * run sends it. A 429 also slows the rest of the run (which goes on with Continue On Fail); the
	 * node never re-sends the item itself.
	 */
	failed(itemIndex: number, error: unknown): never {
		const facts = requestFacts(error);
		if (!facts?.outcomeUnknown) this.dedupe?.refused(itemIndex);
		const sentAt = this.sentAt.get(itemIndex);
		this.sentAt.delete(itemIndex);
		if (facts?.httpStatus === TOO_MANY_REQUESTS && sentAt !== undefined && this.pacer) {
			this.slowDowns += 1;
			this.pacer.slowDown(facts.retryAfterMs, sentAt);
		}
		throw error;
	}

	/** After the last send: dedupe bookkeeping, and hints saying what was skipped or slowed. */
	async close(): Promise<void> {
		if (this.dedupe) await this.closeLedger(this.dedupe);
		await this.totalsHint();
		if (this.slowDowns > 0 && this.pacer) {
			const pace = this.pacer.sendsPerMinute;
			this.hint(
				`MNotify asked to slow down ${this.slowDowns} time(s) (429); sends with this credential go on at ${pace > 0 ? `${pace} per minute` : 'full speed'}, faster again as the overload passes.`,
			);
		}
	}

	/**
	 * The ledger's last writes. Their failure fails no item: every send already has its output
	 * (with its id); the keys the ledger could not mark stay claimed, so a later run reports them
	 * as outcome unknown instead of sending them again.
	 */
	private async closeLedger(dedupe: DedupeRun): Promise<void> {
		const { error, unrecorded } = await dedupe.close();
		if (error) {
			const cause = error instanceof Error ? error.message : String(error);
			const message = `The dedupe ledger failed after sending (${cause}). Every notification sent is in this output with its id; ${unrecorded} accepted send(s) may not be marked as sent, so a later run reports them as outcome unknown rather than sending them again.`;
			this.hint(message);
			this.context.logger.warn(`MNotify node "${this.context.getNode().name}": ${message}`);
			return;
		}
		if (!(dedupe.ledger instanceof ProcessedDataLedger)) return;
		const { keys, capacity } = await dedupe.ledger.usage().catch(() => ({ keys: 0, capacity: 1 }));
		if (keys > capacity / 2) {
			this.hint(
				`The dedupe store holds ${keys} of at most ${capacity} keys; the oldest are forgotten first. Raise "Dedupe Retention (Keys)" if runs are that large.`,
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
			this.parameters.read(optionPath(this.parameters, 'dedupeKey'), itemIndex, '') ?? '',
		).trim();
		if (key === '') {
			throw new InputError(
				optionLabel(this.parameters, 'dedupeKey'),
				'The dedupe key is empty for this item',
				'Make the expression give every item a value, e.g. {{ $json.idnp }}-{{ $json.dueDate }}, or clear the option to use a hash of the recipients and the content.',
			);
		}
		return key;
	}
}
