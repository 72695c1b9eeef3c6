/**
 * One HTTP request, start to finish: faults, authentication by certificate serial, routing,
 * writing the response, and the log line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import {
	answerAfterProcessing,
	describeFault,
	type FaultInjector,
	faultedQuery,
	replacementResponse,
	type SandboxFault,
} from './faults';
import type { Sender } from './model';
import { readRequestBody } from './requestBody';
import { HttpError, messageError, type SandboxResponse, textResponse } from './responses';
import { matchRoute, normalizePath, type Route } from './router';
import type { SenderRegistry } from './senders';
import type { SandboxState } from './state';
import type { SendArrival } from './stats';

export interface PipelineDependencies {
	state: SandboxState;
	senders: SenderRegistry;
	faults: FaultInjector;
	routes: Route[];
	log?: (line: string) => void;
}

interface IncomingCall {
	method: string;
	pathname: string;
	query: URLSearchParams;
	serialNumber: string;
	sender?: Sender;
}

function describeCaller(call: IncomingCall): string {
	return call.sender
		? `sender="${call.sender.name}"`
		: `serial=${call.serialNumber || '(none)'} (unregistered)`;
}

function writeResponse(res: ServerResponse, response: SandboxResponse): void {
	res.writeHead(response.status, {
		...response.headers,
		'Content-Length': Buffer.byteLength(response.body),
	});
	res.end(response.body);
}

/** Declares the full length, then sends the body one byte every `intervalMs` until done or gone. */
async function writeDrippingResponse(
	res: ServerResponse,
	response: SandboxResponse,
	intervalMs: number,
): Promise<void> {
	const body = Buffer.from(response.body);
	res.writeHead(response.status, { ...response.headers, 'Content-Length': body.length });
	for (let offset = 0; offset < body.length && !res.destroyed; offset++) {
		res.write(body.subarray(offset, offset + 1));
		await sleep(intervalMs);
	}
	if (!res.destroyed) res.end();
}

/** Resolves when the client has gone away (the socket closed). */
function socketClosed(req: IncomingMessage): Promise<void> {
	return new Promise((resolve) => {
		if (req.socket.destroyed) resolve();
		else req.socket.once('close', () => resolve());
	});
}

/** Declares the full length, sends half of the body, then ends the connection. */
function writeTruncatedResponse(res: ServerResponse, response: SandboxResponse): void {
	const body = Buffer.from(response.body);
	res.writeHead(response.status, { ...response.headers, 'Content-Length': body.length });
	res.write(body.subarray(0, Math.floor(body.length / 2)));
	const socket = res.socket;
	socket?.end();
	setTimeout(() => socket?.destroy(), 1000).unref();
}

function firstBodyChunkOrEnd(req: IncomingMessage): Promise<void> {
	return new Promise((resolve) => {
		req.once('data', () => resolve());
		req.once('end', () => resolve());
		req.once('close', () => resolve());
	});
}

function answer(
	deps: PipelineDependencies,
	call: IncomingCall,
	req: IncomingMessage,
	body: Buffer,
	fault: SandboxFault | undefined,
): SandboxResponse {
	if (call.sender === undefined) {
		return textResponse(
			401,
			`Client certificate serial ${call.serialNumber} is not registered with MNotify.`,
		);
	}
	const match = matchRoute(deps.routes, call.method, normalizePath(call.pathname));
	if ('response' in match) return match.response;
	return match.handler({
		state: deps.state,
		sender: call.sender,
		id: match.id,
		query: faultedQuery(fault, call.query),
		body,
		contentType: req.headers['content-type'],
	});
}

async function processRequest(
	deps: PipelineDependencies,
	call: IncomingCall,
	fault: SandboxFault | undefined,
	req: IncomingMessage,
	res: ServerResponse,
): Promise<string> {
	if (fault?.kind === 'reset' && fault.when === 'before-body') {
		req.socket.destroy();
		return 'connection reset';
	}
	if (fault?.kind === 'reset' && fault.when === 'during-body') {
		await firstBodyChunkOrEnd(req);
		req.socket.destroy();
		return 'connection reset';
	}
	if (fault?.kind === 'delay') await sleep(fault.ms);
	if (fault?.kind === 'status' && fault.delayMs) await sleep(fault.delayMs);

	let response: SandboxResponse;
	try {
		const body = await readRequestBody(req);
		if (fault?.kind === 'reset' && fault.when === 'after-read') {
			req.socket.destroy();
			return 'read, not processed, connection reset';
		}
		response = replacementResponse(fault) ?? answer(deps, call, req, body, fault);
	} catch (error) {
		if (!(error instanceof HttpError)) throw error;
		response = error.response;
	}
	response = answerAfterProcessing(fault, response);

	// Unref'd: a client that went away must not keep the process alive for the rest of the delay.
	if (fault?.kind === 'delay-answer') await sleep(fault.ms, undefined, { ref: false });
	if (req.socket.destroyed) return `${response.status} not delivered, the client had gone`;
	if (fault?.kind === 'reset') {
		req.socket.destroy();
		return `${response.status} dropped, connection reset`;
	}
	if (fault?.kind === 'hold') {
		await socketClosed(req);
		return `${response.status} held, never answered`;
	}
	if (fault?.kind === 'drip') {
		await writeDrippingResponse(res, response, fault.intervalMs);
		return `${response.status} dripped`;
	}
	if (fault?.kind === 'truncated-body') {
		writeTruncatedResponse(res, response);
		return `${response.status} truncated`;
	}
	if (fault?.kind === 'close-keepalive') response.headers.Connection = 'close';
	writeResponse(res, response);
	return String(response.status);
}

/** getPeerCertificate() builds a new object each call; keep-alive connections ask only once. */
function peerSerialNumber(socket: TLSSocket, cache: WeakMap<TLSSocket, string>): string {
	let serialNumber = cache.get(socket);
	if (serialNumber === undefined) {
		serialNumber = String(socket.getPeerCertificate().serialNumber ?? '');
		cache.set(socket, serialNumber);
	}
	return serialNumber;
}

const MAX_SEND_ARRIVALS = 100_000;

export function createRequestListener(deps: PipelineDependencies) {
	const { stats } = deps.state;
	const serialNumbers = new WeakMap<TLSSocket, string>();
	return (req: IncomingMessage, res: ServerResponse): void => {
		const startedAt = Date.now();
		const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
		const serialNumber = peerSerialNumber(req.socket as TLSSocket, serialNumbers);
		const call: IncomingCall = {
			method: (req.method ?? 'GET').toUpperCase(),
			pathname: url.pathname,
			query: url.searchParams,
			serialNumber,
			sender: serialNumber ? deps.senders.authenticate(serialNumber) : undefined,
		};
		stats.requests += 1;
		const fault = deps.faults.take(call.method, call.pathname);
		if (fault !== undefined) stats.faultsInjected += 1;
		let arrival: SendArrival | undefined;
		if (call.method === 'POST' && normalizePath(call.pathname) === '/api/notification') {
			stats.notificationSendsReceived += 1;
			const tooMany = fault?.kind === 'status' && fault.status === 429;
			const retryAfterSeconds = tooMany ? fault.retryAfterSeconds : undefined;
			arrival = { receivedAtMs: startedAt };
			if (retryAfterSeconds !== undefined) arrival.retryAfterMs = retryAfterSeconds * 1000;
			deps.state.sendArrivals.push(arrival);
			// A long-running sandbox keeps the latest ones only.
			if (deps.state.sendArrivals.length > MAX_SEND_ARRIVALS) {
				deps.state.sendArrivals.splice(0, MAX_SEND_ARRIVALS / 10);
			}
		}

		const logOutcome = (outcome: string) => {
			if (arrival) arrival.answeredAtMs = Date.now();
			const faultNote = fault ? ` [fault: ${describeFault(fault)}]` : '';
			deps.log?.(
				`${call.method} ${url.pathname}${url.search} ${outcome} ${describeCaller(call)} ` +
					`${Date.now() - startedAt}ms${faultNote}`,
			);
		};
		processRequest(deps, call, fault, req, res).then(logOutcome, (error: unknown) => {
			if (req.socket.destroyed) {
				logOutcome('client disconnected');
			} else if (res.headersSent) {
				logOutcome(`internal error after the headers: ${String(error)}`);
				res.destroy();
			} else {
				logOutcome(`500 internal error: ${String(error)}`);
				writeResponse(res, messageError(500, `Sandbox internal error: ${String(error)}`).response);
			}
		});
	};
}
