/** Talks to the sandbox over real TLS with undici, the way any MNotify client would. */
import { Agent, type Dispatcher, request } from 'undici';
import type { ClientCertificate, MNotifySandbox } from '../../dev/sandbox/server';

export interface ClientIdentity {
	pfx?: Buffer;
	passphrase?: string;
	cert?: string;
	key?: string;
}

export function pfxIdentity(certificate: ClientCertificate): ClientIdentity {
	return { pfx: certificate.pfx, passphrase: certificate.passphrase };
}

/** A keep-alive agent that trusts the sandbox CA and presents the given client identity. */
export function sandboxAgent(
	sandbox: MNotifySandbox,
	identity: ClientIdentity = {},
	options: Agent.Options = {},
): Agent {
	return new Agent({ ...options, connect: { ca: sandbox.caPem, ...identity } });
}

export interface CallResult {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json: () => any;
}

export interface CallOptions {
	body?: unknown;
	/** Sent as-is instead of JSON-encoding `body`. */
	rawBody?: string;
	contentType?: string | null;
}

export async function call(
	agent: Dispatcher,
	sandbox: MNotifySandbox,
	method: Dispatcher.HttpMethod,
	path: string,
	options: CallOptions = {},
): Promise<CallResult> {
	const rawBody =
		options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
	const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
	const response = await request(`${sandbox.url}${path}`, {
		dispatcher: agent,
		method,
		body: rawBody,
		headers: rawBody !== undefined && contentType !== null ? { 'content-type': contentType } : {},
	});
	const text = await response.body.text();
	return {
		status: response.statusCode,
		headers: response.headers,
		text,
		json: () => JSON.parse(text),
	};
}

export function notificationRequest(overrides: Record<string, unknown> = {}) {
	return {
		subject: { ro: 'Titlu', en: 'Title' },
		body: { ro: '<p>Corp</p>' },
		bodyShort: { ro: 'Scurt' },
		priority: 'Low',
		recipients: [{ type: 'IDNP', value: '2000000000001' }],
		...overrides,
	};
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
