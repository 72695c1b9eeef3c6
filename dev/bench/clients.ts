/**
 * The two clients the node is compared with: raw undici with a keep-alive pool (what the node's
 * transport builds on, without n8n around it) and a naive client with a new TLS connection per
 * request (what n8n's own HTTP helper does with client certificates).
 */
import { request as httpsRequest } from 'node:https';
import { Agent } from 'undici';

import type { ClientCertificate } from '../sandbox/server';

const JSON_HEADERS = { accept: 'application/json, text/plain', 'content-type': 'application/json' };

/** Calls `work` for 0..count-1 with at most `concurrency` running: a simple worker pool. */
export async function runPool(
	count: number,
	concurrency: number,
	work: (index: number) => Promise<void>,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < count) await work(next++);
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function expectStatus(status: number, text: string, what: string): void {
	if (status < 200 || status >= 300)
		throw new Error(`${what}: HTTP ${status} ${text.slice(0, 200)}`);
}

/** The bare UUID MNotify answers a send with (sometimes JSON-quoted). */
function readId(text: string): string {
	return text.trim().replace(/^"|"$/g, '');
}

export class RawUndiciClient {
	private readonly agent: Agent;

	constructor(
		private readonly origin: string,
		certificate: ClientCertificate,
		connections: number,
	) {
		this.agent = new Agent({
			connections,
			connect: { pfx: certificate.pfx, passphrase: certificate.passphrase, ca: certificate.caPem },
		});
	}

	async send(body: string): Promise<string> {
		const response = await this.agent.request({
			origin: this.origin,
			path: '/api/notification',
			method: 'POST',
			headers: JSON_HEADERS,
			body,
		});
		const text = await response.body.text();
		expectStatus(response.statusCode, text, 'Raw undici send');
		return readId(text);
	}

	async listPage(page: number, pageSize: number): Promise<unknown[]> {
		const query = new URLSearchParams({
			Page: String(page),
			ItemsPerPage: String(pageSize),
			OrderField: 'createdAt desc',
		});
		const response = await this.agent.request({
			origin: this.origin,
			path: `/api/notification?${query.toString()}`,
			method: 'GET',
			headers: { accept: JSON_HEADERS.accept },
		});
		const text = await response.body.text();
		expectStatus(response.statusCode, text, 'Raw undici list');
		return JSON.parse(text) as unknown[];
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

	async close(): Promise<void> {
		await this.agent.close();
	}
}

export interface NaiveSendTiming {
	id: string;
	/** From `https.request` to the response headers: TCP + TLS handshake + request. */
	latencyMs: number;
}

/** One request on a new TCP and TLS connection, certificate loaded for it (`agent: false`). */
export function naiveSend(
	url: URL,
	certificate: ClientCertificate,
	body: string,
): Promise<NaiveSendTiming> {
	return new Promise((resolve, reject) => {
		const startedAt = performance.now();
		let latencyMs = 0;
		const request = httpsRequest(
			{
				host: url.hostname,
				port: url.port,
				path: '/api/notification',
				method: 'POST',
				agent: false,
				pfx: certificate.pfx,
				passphrase: certificate.passphrase,
				ca: certificate.caPem,
				headers: { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body) },
			},
			(response) => {
				latencyMs = performance.now() - startedAt;
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('error', reject);
				response.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					try {
						expectStatus(response.statusCode ?? 0, text, 'Naive send');
						resolve({ id: readId(text), latencyMs });
					} catch (error) {
						reject(error as Error);
					}
				});
			},
		);
		request.on('error', reject);
		request.end(body);
	});
}
