/**
 * One execution of Send, made once by the router and handed every item: it reads the options
 * once, holds the concurrency, the agent guard rails, the templates read, the bulk safety (dry
 * run, test recipient, dedupe and pace: bulkSession.ts) and the wait for delivery.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY } from '../../../helpers/pacing';
import { PRIORITIES, type ResolutionPolicy } from '../../../helpers/interfaces';
import { checkAttachments } from '../../../helpers/attachments';
import { buildResolutionPolicy } from '../../../helpers/recipients';
import { buildNotificationRequest, type ContentInput } from '../../../helpers/content';
import {
	readReturnedId,
	readTimeoutSettings,
	type MNotifyConnection,
	type RequestSettings,
} from '../../../transport';
import { readTextContent, type NodeParameters } from '../../parameters';
import { TemplateReads } from '../../template/shared';
import type { ItemOutcome, ItemTask, OperationRun, RunStart } from '../../types';
import { describeAttachments, readAttachments } from './attachments';
import { BulkSession } from './bulkSession';
import { RECIPIENTS_FROM_FIELDS, recipientsFromFields } from './recipientsFromInput';
import { RESOLUTION_POLICY_PATH } from './resolution';
import {
	DEFAULT_MAX_RECIPIENTS_PER_AGENT_CALL,
	optionsDifferByItem,
	readOptions,
	type SendOptions,
} from './send.options';
import { completeTemplateSend, readOwnTemplateTexts, templateOutput } from './templateSend';
import { readTextsFromInput, TEXTS_FROM_INPUT } from './textsFromInput';
import { readSendVariables, variablesAsSent } from './variablesMapper';
import { waitForDelivery } from './waitForDelivery';

const MISSING_ID_WARNING =
	'MNotify accepted the request but answered without a notification id. Check Notification → Get Many before sending it again.';

/** Send's run for one execution: the router asks for it once and hands it every item. */
export async function startSendRun(this: IExecuteFunctions, start: RunStart): Promise<SendRun> {
	return new SendRun(this, start);
}

export class SendRun implements OperationRun {
	readonly concurrency: number;

	/** The first item's options; absent when they are invalid (each item then reports its own). */
	private readonly firstOptions: SendOptions | undefined;

	/** The options hold no expression: every item has the first item's. */
	private readonly sameOptionsForAll: boolean;

	private readonly firstSettings: RequestSettings | undefined;

	private templateReads: TemplateReads | undefined;

	/** Made with the first item that passed validation, so a run of invalid items reports nothing. */
	private bulkSession: BulkSession | undefined;

	/** Refuses the whole run when an AI agent's call would notify more people than allowed. */
	private readonly parameters: NodeParameters;

	private readonly connection: MNotifyConnection;

	constructor(
		private readonly context: IExecuteFunctions,
		{ itemCount, asAgentTool, parameters, connection }: RunStart,
	) {
		this.parameters = parameters;
		this.connection = connection;
		try {
			this.firstOptions = readOptions(parameters, 0);
		} catch {
			// Reported on the items; the strict defaults guard meanwhile.
		}
		this.sameOptionsForAll = !optionsDifferByItem(parameters);
		if (this.firstOptions) this.firstSettings = readTimeoutSettings(this.firstOptions);
		this.concurrency = this.firstOptions?.concurrency ?? DEFAULT_CONCURRENCY;
		if (asAgentTool)
			checkAgentRecipientCap(context, parameters, itemCount, this.firstOptions ?? {});
	}

	/** An item's options: read for it only when they depend on the item. */
	optionsFor(itemIndex: number): SendOptions {
		if (this.firstOptions && this.sameOptionsForAll) return this.firstOptions;
		return readOptions(this.parameters, itemIndex);
	}

	private settingsOf(options: SendOptions): RequestSettings {
		return (options === this.firstOptions && this.firstSettings) || readTimeoutSettings(options);
	}

	/** The templates this run reads, each once. */
	private get templates(): TemplateReads {
		this.templateReads ??= new TemplateReads(this.connection);
		return this.templateReads;
	}

	/** The bulk state, set up from the first item's options (an error fails every item). */
	private bulk(): BulkSession {
		this.bulkSession ??= new BulkSession(
			this.parameters,
			this.connection,
			this.firstOptions ?? readOptions(this.parameters, 0),
			this.concurrency,
		);
		return this.bulkSession;
	}

	async prepare(itemIndex: number): Promise<ItemTask> {
		const { context, parameters } = this;
		const options = this.optionsFor(itemIndex);
		const contentSource = parameters.read('contentSource', itemIndex, 'text') as string;
		const recipients = readRecipients(parameters, itemIndex);

		let content: ContentInput | undefined;
		let template: { id: unknown; variables?: string } | undefined;
		if (contentSource === 'template') {
			const id = parameters.read('templateId', itemIndex, '', { extractValue: true });
			const variables = await readSendVariables(parameters, this.templates, itemIndex, id);
			template = { id, variables: variablesAsSent(parameters, itemIndex, variables) };
			content = readOwnTemplateTexts(parameters, itemIndex);
		} else if (contentSource === TEXTS_FROM_INPUT) {
			content = readTextsFromInput(parameters, itemIndex);
		} else {
			content = readTextContent(parameters, itemIndex);
		}

		const attachmentFiles = options.attachmentProperties
			? await describeAttachments(context, itemIndex, options.attachmentProperties)
			: [];
		if (attachmentFiles.length > 0) checkAttachments(attachmentFiles);

		// Validate everything now, without the attachments' bytes, so bad input never reaches MNotify.
		const validated = buildNotificationRequest({
			recipients,
			priority: parameters.read('priority', itemIndex, PRIORITIES[0]),
			content,
			template,
			resolutionPolicy: readResolutionPolicy(parameters, itemIndex),
		});
		const settings = this.settingsOf(options);
		const bulk = this.bulk();
		bulk.prepareItem(itemIndex, validated);

		// A template send is completed by its second check, before anything is sent.
		let ready = validated;
		let templateName: string | undefined;
		const task: ItemTask = async () => {
			const outgoing = bulk.outgoing(ready);
			const notSent = await bulk.beforeSend(itemIndex, outgoing);
			if (notSent) return notSent;
			const attachments =
				attachmentFiles.length > 0
					? await readAttachments(context, itemIndex, attachmentFiles)
					: [];
			const request = attachments.length > 0 ? { ...outgoing, attachments } : outgoing;
			let answer: unknown;
			try {
				answer = await this.connection.request({
					method: 'POST',
					path: '/api/notification',
					body: request,
					action: 'send the notification',
					maybeAcceptedHint:
						'before running it again, check with Notification → Get Many (newest first), so nobody is notified twice.',
					itemIndex,
					settings,
				});
			} catch (error) {
				bulk.failed(itemIndex, error);
			}
			const id = readReturnedId(answer);
			// Failing the item here would invite a re-send of something MNotify probably accepted.
			return {
				id: id ?? null,
				...(id ? {} : { warning: MISSING_ID_WARNING }),
				status: 'Pending',
				priority: ready.priority,
				recipients: outgoing.recipients,
				subject: ready.subject,
				...(ready.template ? templateOutput(parameters.isVersion1, ready, templateName) : {}),
				...(ready.resolutionPolicy ? { resolutionPolicy: ready.resolutionPolicy } : {}),
				attachments: attachmentFiles.map(({ fileName, sizeBytes }) => ({ fileName, sizeBytes })),
				sentAt: new Date().toISOString(),
				...bulk.sent(itemIndex, id),
			} as IDataObject;
		};
		if (validated.template) {
			task.checkBeforeSending = async () => {
				({ request: ready, name: templateName } = await completeTemplateSend(
					this.templates,
					itemIndex,
					validated,
				));
			};
		}
		return task;
	}

	async afterSends(): Promise<void> {
		await this.bulkSession?.close();
	}

	/** Wait for delivery, with the options of the first item sent (invalid options failed their item). */
	async finish(outcomes: ItemOutcome[]): Promise<void> {
		const first = outcomes.find((outcome) => !outcome.error);
		if (!first) return;
		const options = this.optionsFor(first.itemIndex);
		if (options.waitForDelivery)
			await waitForDelivery.call(this.context, this.connection, outcomes, options);
	}
}

/**
 * The cap on how many people one agent's tool call may notify, checked before anything is sent.
 * (Production itself is guarded for every write by the router: agentGuard.ts.)
 */
function checkAgentRecipientCap(
	context: IExecuteFunctions,
	parameters: NodeParameters,
	itemCount: number,
	options: SendOptions,
): void {
	// The cap counts recipient identifiers: the people a resolution policy reaches behind one
	// IDNO are MNotify's to count (the README says so).
	let recipients = 0;
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		recipients += readRecipients(parameters, itemIndex).length;
	}
	const limit = options.maxRecipientsPerAgentCall ?? DEFAULT_MAX_RECIPIENTS_PER_AGENT_CALL;
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

/** The item's recipients, from the panel or from its fields, for buildNotificationRequest. */
function readRecipients(
	parameters: NodeParameters,
	itemIndex: number,
): Array<{ type?: unknown; value?: unknown }> {
	return parameters.read('recipientsMode', itemIndex, 'manual') === RECIPIENTS_FROM_FIELDS
		? recipientsFromFields(parameters, itemIndex)
		: parameters.read('recipients.recipient', itemIndex, []);
}

/** The item's resolution policy, or undefined to notify the recipients themselves. */
function readResolutionPolicy(
	parameters: NodeParameters,
	itemIndex: number,
): ResolutionPolicy | undefined {
	const policy = parameters.read(RESOLUTION_POLICY_PATH, itemIndex, {}) as {
		resolveTo?: unknown;
		direction?: unknown;
	};
	return buildResolutionPolicy(policy.resolveTo, policy.direction);
}
