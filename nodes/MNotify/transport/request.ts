import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	DEFAULT_REQUEST_SETTINGS,
	type ApiRequest,
	type MNotifyClient,
	type RequestSettings,
} from './client';
import { obtainClient } from './clientCache';
import { certificateExpiryMessage, hintCertificateExpiry } from './certificateExpiry';
import type { MNotifyCredentials, Result } from './clientCertificate';
import { MNOTIFY_CREDENTIAL_TYPE as CREDENTIAL_TYPE } from '../../../credentials/MNotifyApi.credentials';
import { UUID_PATTERN } from '../helpers/interfaces';
import { describeHttpStatus, type HttpContext } from './httpErrors';

export type MNotifyContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface ApiCall extends ApiRequest, HttpContext {
	itemIndex?: number;
	settings?: RequestSettings;
}

/**
 * The one place the node talks to MNotify: picks the pooled mTLS client for the credential,
 * sends the request and turns every failure into an n8n error naming the cause and the item.
 * Returns the parsed JSON answer, or the text when it is not JSON.
 */
export async function mnotifyApiRequest(this: MNotifyContext, call: ApiCall): Promise<unknown> {
	const node = this.getNode();
	const itemIndex = call.itemIndex ?? 0;
	const client = await clientForExecution.call(this, itemIndex);
	const outcome = await client.request(call, call.settings ?? DEFAULT_REQUEST_SETTINGS);
	if (outcome.kind === 'failure') {
		const maybeSent =
			call.maybeAcceptedHint && outcome.mayHaveReachedServer
				? ` The request may have reached MNotify and been accepted: ${call.maybeAcceptedHint}`
				: '';
		throw new NodeOperationError(node, outcome.problem.message, {
			description: `${outcome.problem.description}${maybeSent}`,
			itemIndex,
		});
	}

	if (outcome.status < 200 || outcome.status >= 300) {
		const problem = describeHttpStatus(outcome.status, outcome.text, call);
		throw new NodeApiError(node, errorDetails(problem.responseBody), {
			message: problem.message,
			description: problem.description,
			httpCode: String(outcome.status),
			itemIndex,
		});
	}
	const answer = readAnswer(outcome.text);
	if (answer.kind === 'text' && !UUID_PATTERN.test(answer.value)) {
		const body = answer.value;
		const page = /^<(!doctype|html)/i.test(body);
		throw new NodeApiError(
			node,
			{ body: body.slice(0, 200) },
			{
				message: `MNotify's answer to the request to ${call.action} is not JSON`,
				description: `It is ${page ? 'a web page, probably from a proxy or firewall between n8n and MNotify' : 'plain text'}.${call.maybeAcceptedHint ? ` The request may have reached MNotify and been accepted: ${call.maybeAcceptedHint}` : ' Try again later.'}`,
				httpCode: String(outcome.status),
				itemIndex,
			},
		);
	}
	return answer.value;
}

/**
 * The pooled client, looked up once per node execution: every item uses the same credential
 * (n8n credentials cannot depend on item data), and reading and fingerprinting it per item would
 * cost more than a request on a fast network.
 */
const clientsByExecution = new WeakMap<MNotifyContext, Result<{ client: MNotifyClient }>>();

async function clientForExecution(this: MNotifyContext, itemIndex: number): Promise<MNotifyClient> {
	let obtained = clientsByExecution.get(this);
	if (!obtained) {
		const node = this.getNode();
		const credentials = await this.getCredentials<MNotifyCredentials>(CREDENTIAL_TYPE, itemIndex);
		// A failure is remembered too: a wrong passphrase is not retried for every item.
		obtained = obtainClient(credentials, node.credentials?.[CREDENTIAL_TYPE]?.id ?? undefined);
		clientsByExecution.set(this, obtained);
		if (obtained.ok) hintCertificateExpiry(this, obtained.client.certificate);
	}
	if (!obtained.ok) {
		throw new NodeOperationError(this.getNode(), obtained.problem.message, {
			description: obtained.problem.description,
			itemIndex,
		});
	}
	return obtained.client;
}

/** The expiry warning for this context's credential, for triggers (see hintCertificateExpiry). */
export async function certificateExpiryWarning(this: MNotifyContext): Promise<string | undefined> {
	return certificateExpiryMessage((await clientForExecution.call(this, 0)).certificate);
}

function errorDetails(body: unknown): JsonObject {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as JsonObject;
	return body === undefined ? {} : { body: body as string };
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

/** Create, update, delete and cancel answer with an id, bare or JSON-quoted (docs/contract.md §12): accept both. */
export function readReturnedId(body: unknown): string | undefined {
	if (typeof body !== 'string') return undefined;
	const id = body.trim().replace(/^"|"$/g, '');
	return id === '' ? undefined : id;
}
