/**
 * The one raw client of the sandbox: undici with a keep-alive pool and a client certificate, no
 * n8n around it. The benchmarks compare the node with it; the e2e calls the sandbox's API with it
 * (e.g. to send notifications a trigger should notice).
 */
import { Pool, type Dispatcher } from 'undici';

import type { ClientCertificate } from '../sandbox/server';

const JSON_HEADERS = { accept: 'application/json, text/plain', 'content-type': 'application/json' };

export interface SandboxAnswer {
	status: number;
	text: string;
	/** The answer parsed as JSON, or its text when it is not JSON. */
	json: unknown;
}

function expectSuccess(answer: { status: number; text: string }, what: string): void {
	if (answer.status < 200 || answer.status >= 300)
		throw new Error(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
}

/** The bare UUID MNotify answers a send with (sometimes JSON-quoted). */
export function readId(text: string): string {
	return text.trim().replace(/^"|"$/g, '');
}

export class SandboxClient {
	/** A Pool, as the node's transport has: undici 7's Agent can churn connections (one TLS
	 * handshake per request) once a server drops the idle ones, which would skew the baseline. */
	private readonly agent: Pool;

	constructor(
		private readonly origin: string,
		certificate: Pick<ClientCertificate, 'pfx' | 'passphrase' | 'caPem'>,
		connections: number,
	) {
		this.agent = new Pool(origin, {
			connections,
			connect: { pfx: certificate.pfx, passphrase: certificate.passphrase, ca: certificate.caPem },
		});
	}

	/** One call of the API, its answer parsed; `body` is sent as JSON (a string as it is). */
	async request(
		method: Dispatcher.HttpMethod,
		path: string,
		body?: unknown,
	): Promise<SandboxAnswer> {
		const { status, text } = await this.call(method, path, body);
		let json: unknown = text;
		try {
			json = JSON.parse(text);
		} catch {
			// Not JSON: the text stands.
		}
		return { status, text, json };
	}

	/** Sends one notification (its JSON body); returns its id. */
	async send(body: string): Promise<string> {
		const answer = await this.call('POST', '/api/notification', body);
		expectSuccess(answer, 'Raw undici send');
		return readId(answer.text);
	}

	async listPage(page: number, pageSize: number): Promise<unknown[]> {
		const query = new URLSearchParams({
			Page: String(page),
			ItemsPerPage: String(pageSize),
			OrderField: 'createdAt desc',
		});
		const answer = await this.call('GET', `/api/notification?${query.toString()}`);
		expectSuccess(answer, 'Raw undici list');
		return JSON.parse(answer.text) as unknown[];
	}

	/** Every page, until one is short: what Return All does, without n8n. */
	async listAll(pageSize: number): Promise<unknown[]> {
		const results: unknown[] = [];
		for (let page = 1; ; page++) {
			const items = await this.listPage(page, pageSize);
			results.push(...items);
			if (items.length < pageSize) return results;
		}
	}

	/** A request and its answer's status and text, nothing parsed (the benchmark's hot path). */
	private async call(
		method: Dispatcher.HttpMethod,
		path: string,
		body?: unknown,
	): Promise<{ status: number; text: string }> {
		const response = await this.agent.request({
			origin: this.origin,
			path,
			method,
			headers: body === undefined ? { accept: JSON_HEADERS.accept } : JSON_HEADERS,
			body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
		});
		return { status: response.statusCode, text: await response.body.text() };
	}

	async close(): Promise<void> {
		await this.agent.close();
	}
}
