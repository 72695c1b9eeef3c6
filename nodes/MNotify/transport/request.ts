import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_REQUEST_SETTINGS,
	type ApiRequest,
	type MNotifyClient,
	type RequestSettings,
} from './client';
import { obtainClient, type ClientLease } from './clientCache';
import {
	certificateExpiryMessage,
	hintCertificateExpiry,
	type MNotifyCredentials,
	type Result,
} from './clientCertificate';
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
 * The one place the node talks to MNotify: picks the pooled mTLS client for the credential,
 * sends the request and turns every failure into an n8n error naming the cause and the item.
 * Returns the parsed JSON answer, or the text when it is not JSON. A failed write whose outcome
 * is unknown (it may have been accepted) says so on its error (requestErrors.ts).
 */
export async function mnotifyApiRequest(this: MNotifyContext, call: ApiCall): Promise<unknown> {
	// n8n's getNode() deep-copies the node's parameters: asked for only when there is an error.
	const node = () => this.getNode();
	const itemIndex = call.itemIndex ?? 0;
	const client = await clientForExecution.call(this, itemIndex);
	const outcome = await client.request(
		call,
		call.settings ?? DEFAULT_REQUEST_SETTINGS,
		stopSignalOf(this),
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
			{ body: body.slice(0, 200) },
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

/** The execution's cancel signal (n8n's Stop), where the context has one. */
function stopSignalOf(context: MNotifyContext): AbortSignal | undefined {
	const withSignal = context as { getExecutionCancelSignal?: () => AbortSignal | undefined };
	return typeof withSignal.getExecutionCancelSignal === 'function'
		? withSignal.getExecutionCancelSignal()
		: undefined;
}

/**
 * The pooled client, looked up once per node execution: every item uses the same credential
 * (n8n credentials cannot depend on item data), and reading and fingerprinting it per item would
 * cost more than a request on a fast network. The execution holds a lease on the pool until
 * `releaseClient`, so a credential edited meanwhile cannot close the pool under it.
 */
const leasesByExecution = new WeakMap<MNotifyContext, Result<{ lease: ClientLease }>>();

/** Safety net: a context dropped without `releaseClient` still gives its lease back. */
const forgottenLeases = new FinalizationRegistry<ClientLease>((lease) => lease.release());

async function clientForExecution(this: MNotifyContext, itemIndex: number): Promise<MNotifyClient> {
	return (await leaseForExecution.call(this, itemIndex)).client;
}

/**
 * The key of this context's credential, the one its connection pool has: the same for every
 * execution in this process that uses the same credential content (the send pace is kept by it).
 */
export async function credentialKey(this: MNotifyContext): Promise<string> {
	return (await leaseForExecution.call(this, 0)).credentialKey;
}

async function leaseForExecution(this: MNotifyContext, itemIndex: number): Promise<ClientLease> {
	let obtained = leasesByExecution.get(this);
	if (!obtained) {
		const node = this.getNode();
		const credentials = await this.getCredentials<MNotifyCredentials>(CREDENTIAL_TYPE, itemIndex);
		// A failure is remembered too: a wrong passphrase is not retried for every item.
		obtained = obtainClient(credentials, node.credentials?.[CREDENTIAL_TYPE]?.id ?? undefined);
		leasesByExecution.set(this, obtained);
		if (obtained.ok) {
			forgottenLeases.register(this, obtained.lease, obtained.lease);
			hintCertificateExpiry(this, obtained.lease.client.certificate);
		}
	}
	if (!obtained.ok) {
		throw new NodeOperationError(this.getNode(), obtained.problem.message, {
			description: obtained.problem.description,
			itemIndex,
		});
	}
	return obtained.lease;
}

/** The expiry warning for this context's credential, for triggers (see hintCertificateExpiry). */
export async function certificateExpiryWarning(this: MNotifyContext): Promise<string | undefined> {
	return certificateExpiryMessage((await clientForExecution.call(this, 0)).certificate);
}

/** Gives back the pool this execution used; call it when the node (or poll, or search) is done. */
export function releaseClient(context: MNotifyContext): void {
	const obtained = leasesByExecution.get(context);
	leasesByExecution.delete(context);
	if (!obtained?.ok) return;
	forgottenLeases.unregister(obtained.lease);
	obtained.lease.release();
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
