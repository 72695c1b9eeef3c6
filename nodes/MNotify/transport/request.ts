import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_REQUEST_SETTINGS, type ApiRequest, type RequestSettings } from './client';
import {
	certificateExpiryMessage,
	hintCertificateExpiry,
	obtainClient,
	type ClientLease,
} from './clientCache';
import type { MNotifyCredentials, Result } from './clientCertificate';
import { MNOTIFY_CREDENTIAL_TYPE as CREDENTIAL_TYPE } from '../../../credentials/MNotifyApi.credentials';
import { preview } from '../helpers/checks';
import { UUID_PATTERN } from '../helpers/interfaces';
import { describeHttpStatus, type HttpContext } from './httpErrors';
import { MNotifyConnectionError, MNotifyHttpError } from './requestErrors';

export type MNotifyContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface ApiCall extends ApiRequest, HttpContext {
	itemIndex?: number;
	settings?: RequestSettings;
}

/**
 * One execution's (or poll's, or search's) connection to MNotify, made by whoever runs it and
 * released when it ends. It leases the pooled mTLS client once, at the first request: every item
 * uses the same credential (n8n credentials cannot depend on item data), and reading and
 * fingerprinting it per item would cost more than a request on a fast network. The lease keeps a
 * credential edited meanwhile from closing the pool under the execution.
 */
export class MNotifyConnection {
	/**
	 * The lease, asked for once: items running at once share the same promise. A certificate that
	 * fails to load is kept too, so a wrong passphrase is not retried for every item.
	 */
	private obtained?: Promise<Result<{ lease: ClientLease }>>;

	constructor(readonly context: MNotifyContext) {}

	/**
	 * The one place the node talks to MNotify: sends the request on the pooled client and turns
	 * every failure into an n8n error naming the cause and the item. Returns the parsed JSON
	 * answer, or the text when it is not JSON. A failed write whose outcome is unknown (it may
	 * have been accepted) says so on its error (requestErrors.ts).
	 */
	async request(call: ApiCall): Promise<unknown> {
		const context = this.context;
		// n8n's getNode() deep-copies the node's parameters: asked for only when there is an error.
		const node = () => context.getNode();
		const itemIndex = call.itemIndex ?? 0;
		const { client } = await this.lease(itemIndex);
		const outcome = await client.request(
			call,
			call.settings ?? DEFAULT_REQUEST_SETTINGS,
			stopSignalOf(context),
		);
		const isWrite = call.method !== 'GET';
		if (outcome.kind === 'failure') {
			const unknown = isWrite && outcome.mayHaveReachedServer;
			const maybeSent =
				unknown && call.maybeAcceptedHint
					? ` The request may have reached MNotify and been accepted: ${call.maybeAcceptedHint}`
					: '';
			throw new MNotifyConnectionError(
				node(),
				outcome.problem.message,
				{ description: `${outcome.problem.description}${maybeSent}`, itemIndex },
				unknown,
			);
		}

		if (outcome.status < 200 || outcome.status >= 300) {
			const problem = describeHttpStatus(outcome.status, outcome.text, call);
			throw new MNotifyHttpError(
				node(),
				errorDetails(problem.responseBody),
				{
					message: problem.message,
					description: problem.description,
					httpCode: String(outcome.status),
					itemIndex,
				},
				{
					httpStatus: outcome.status,
					// A 5xx does not say whether the write was carried out; a 4xx refuses it.
					outcomeUnknown: isWrite && outcome.status >= 500,
					retryAfterMs: outcome.retryAfterMs,
				},
			);
		}
		const answer = readAnswer(outcome.text);
		if (answer.kind === 'text' && !UUID_PATTERN.test(answer.value)) {
			const body = answer.value;
			const page = /^<(!doctype|html)/i.test(body);
			throw new MNotifyHttpError(
				node(),
				{ body: preview(body, 200) },
				{
					message: `MNotify's answer to the request to ${call.action} is not JSON`,
					description: `It is ${page ? 'a web page, probably from a proxy or firewall between n8n and MNotify' : 'plain text'}.${call.maybeAcceptedHint ? ` The request may have reached MNotify and been accepted: ${call.maybeAcceptedHint}` : ' Try again later.'}`,
					httpCode: String(outcome.status),
					itemIndex,
				},
				{ httpStatus: outcome.status, outcomeUnknown: isWrite },
			);
		}
		return answer.value;
	}

	/**
	 * The key of the credential, the one its connection pool has: the same for every execution
	 * in this process that uses the same credential content (the send pace is kept by it).
	 */
	async credentialKey(): Promise<string> {
		return (await this.lease(0)).credentialKey;
	}

	/** The expiry warning for the credential, for triggers (see hintCertificateExpiry). */
	async certificateExpiryWarning(): Promise<string | undefined> {
		return certificateExpiryMessage((await this.lease(0)).client.certificate);
	}

	/** Gives back the pool; call it when the execution (or poll, or search) is done. */
	release(): void {
		const obtained = this.obtained;
		this.obtained = undefined;
		// A credential that could not be read holds no lease (its item already has the error).
		void obtained?.then(
			(result) => result.ok && result.lease.release(),
			() => undefined,
		);
	}

	private async lease(itemIndex: number): Promise<ClientLease> {
		const context = this.context;
		if (!this.obtained) {
			const pending = context
				.getCredentials<MNotifyCredentials>(CREDENTIAL_TYPE, itemIndex)
				.then((credentials) => {
					const obtained = obtainClient(
						credentials,
						context.getNode().credentials?.[CREDENTIAL_TYPE]?.id ?? undefined,
					);
					if (obtained.ok) hintCertificateExpiry(context, obtained.lease.client.certificate);
					return obtained;
				});
			// n8n could not give the credential: the next item asks again, as before.
			pending.catch(() => {
				if (this.obtained === pending) this.obtained = undefined;
			});
			this.obtained = pending;
		}
		const obtained = await this.obtained;
		if (!obtained.ok) {
			throw new NodeOperationError(context.getNode(), obtained.problem.message, {
				description: obtained.problem.description,
				itemIndex,
			});
		}
		return obtained.lease;
	}
}

/** A connection for one piece of work that makes its own requests (a list search, a mapping). */
export async function withConnection<T>(
	context: MNotifyContext,
	use: (connection: MNotifyConnection) => Promise<T>,
): Promise<T> {
	const connection = new MNotifyConnection(context);
	try {
		return await use(connection);
	} finally {
		connection.release();
	}
}

/** The execution's cancel signal (n8n's Stop), where the context has one. */
function stopSignalOf(context: MNotifyContext): AbortSignal | undefined {
	const withSignal = context as { getExecutionCancelSignal?: () => AbortSignal | undefined };
	return typeof withSignal.getExecutionCancelSignal === 'function'
		? withSignal.getExecutionCancelSignal()
		: undefined;
}

/** Larger error bodies are kept as a shortened text, so an error never carries megabytes. */
const MAX_KEPT_ERROR_BODY = 2_000;

function errorDetails(body: unknown): JsonObject {
	if (body === undefined) return {};
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	if (text.length > MAX_KEPT_ERROR_BODY) return { body: preview(text, MAX_KEPT_ERROR_BODY) };
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as JsonObject;
	return { body: text };
}

/** How JSON text can start; anything else is plain text, without paying for a failed parse. */
const JSON_START = /^(?:[{["\-\d]|true$|false$|null$)/;

type Answer = { kind: 'json'; value: unknown } | { kind: 'text'; value: string };

/** MNotify answers JSON, or (for new ids) sometimes a bare UUID: docs/contract.md §12 says accept both. */
function readAnswer(text: string): Answer {
	const trimmed = text.trim();
	if (trimmed === '') return { kind: 'json', value: undefined };
	if (UUID_PATTERN.test(trimmed) || !JSON_START.test(trimmed))
		return { kind: 'text', value: trimmed };
	try {
		return { kind: 'json', value: JSON.parse(trimmed) as unknown };
	} catch {
		return { kind: 'text', value: trimmed };
	}
}

export function parseBody(text: string): unknown {
	return readAnswer(text).value;
}

/**
 * Create, update, delete and cancel answer with an id, bare or JSON-quoted (docs/contract.md
 * §12): accept both, and only a UUID, since the id goes into URLs and outputs.
 */
export function readReturnedId(body: unknown): string | undefined {
	if (typeof body !== 'string') return undefined;
	const id = body.trim().replace(/^"|"$/g, '');
	return UUID_PATTERN.test(id) ? id.toLowerCase() : undefined;
}
