/**
 * The naive client the node is compared with, a new TLS connection per request (what n8n's own
 * HTTP helper does with client certificates), and the worker pool every raw client runs in. The
 * raw undici keep-alive client is `SandboxClient` (dev/harness/sandboxClient.ts).
 */
import { request as httpsRequest } from 'node:https';

import { readId } from '../harness/sandboxClient';
import type { ClientCertificate } from '../sandbox/server';

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
				headers: {
					accept: 'application/json, text/plain',
					'content-type': 'application/json',
					'content-length': Buffer.byteLength(body),
				},
			},
			(response) => {
				latencyMs = performance.now() - startedAt;
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('error', reject);
				response.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					const status = response.statusCode ?? 0;
					if (status < 200 || status >= 300)
						reject(new Error(`Naive send: HTTP ${status} ${text.slice(0, 200)}`));
					else resolve({ id: readId(text), latencyMs });
				});
			},
		);
		request.on('error', reject);
		request.end(body);
	});
}
