/** Reading request bodies: a size limit, and ASP.NET's JSON input rules. */
import type { IncomingMessage } from 'node:http';
import { messageError, unsupportedMediaType } from './responses';
import { FieldErrorCollector } from './validation/fieldErrors';

export const MAX_REQUEST_BODY_BYTES = 20 * 1024 * 1024;

/**
 * Reads the whole body. Past the limit it keeps draining (and discarding) so that the client
 * receives the 413 instead of a broken pipe.
 */
export function readRequestBody(request: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_REQUEST_BODY_BYTES) chunks.push(chunk);
		});
		request.on('end', () => {
			if (size > MAX_REQUEST_BODY_BYTES) {
				reject(
					messageError(
						413,
						`The request body has ${size} bytes; MNotify accepts at most ${MAX_REQUEST_BODY_BYTES} bytes (20 MB).`,
					),
				);
			} else {
				resolve(Buffer.concat(chunks));
			}
		});
		request.on('error', reject);
		request.on('close', () => {
			if (!request.complete) reject(new Error('The client disconnected before sending the body.'));
		});
	});
}

const JSON_MEDIA_TYPE = /^(application\/json|text\/json|application\/[\w.+-]+\+json)$/i;

function isJsonContentType(contentType: string | undefined): boolean {
	const mediaType = (contentType ?? '').split(';')[0].trim();
	return JSON_MEDIA_TYPE.test(mediaType);
}

export interface JsonBodyOptions {
	/** When false an empty body reads as `undefined` instead of a 400. */
	required: boolean;
}

/** 415 without a JSON content type, 400 ProblemDetails for an empty or malformed body. */
export function parseJsonBody(
	body: Buffer,
	contentType: string | undefined,
	options: JsonBodyOptions,
): unknown {
	if (body.length === 0 && !options.required) return undefined;
	if (!isJsonContentType(contentType)) throw unsupportedMediaType();
	const errors = new FieldErrorCollector();
	const text = body.toString('utf8');
	if (text.trim() === '') {
		errors.add('', 'A non-empty request body is required.');
		errors.throwIfAny();
	}
	try {
		return JSON.parse(text);
	} catch (error) {
		errors.add('$', `The JSON value could not be parsed: ${(error as Error).message}`);
		errors.throwIfAny();
		return undefined;
	}
}
