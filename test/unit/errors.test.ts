import {
	describeHttpStatus,
	parseRetryAfter,
	summarizeErrorBody,
} from '../../nodes/MNotify/transport/httpErrors';
import { resolveOrigin } from '../../nodes/MNotify/transport/clientCache';
import { normalizePem } from '../../nodes/MNotify/transport/clientCertificate';
import { parseBody, readReturnedId } from '../../nodes/MNotify/transport';

describe('error bodies', () => {
	it('reads ASP.NET ProblemDetails with field errors', () => {
		const body = JSON.stringify({
			title: 'One or more validation errors occurred.',
			status: 400,
			errors: { 'Recipients[0].Value': ['The IDNP must have 13 digits.'] },
		});
		expect(summarizeErrorBody(body).summary).toBe(
			'One or more validation errors occurred. — Recipients[0].Value: The IDNP must have 13 digits.',
		);
	});

	it('reads {"message": …} and plain text', () => {
		expect(summarizeErrorBody('{"message":"Already sent"}').summary).toBe('Already sent');
		expect(summarizeErrorBody('Invalid request').summary).toBe('Invalid request');
	});

	it('explains each status with what to do', () => {
		const context = {
			action: 'send the notification',
			maybeAcceptedHint: 'check with Notification → Get Many before sending again.',
		};
		expect(describeHttpStatus(401, '', context).description).toMatch(/serial number/);
		expect(describeHttpStatus(503, '', context).description).toMatch(
			/may or may not have been accepted/,
		);
		expect(describeHttpStatus(503, '', { action: 'list' }).description).toMatch(/Try again later/);
		expect(
			describeHttpStatus(409, '{"message":"x"}', { ...context, conflictHint: 'Too late.' })
				.description,
		).toBe('Too late. MNotify said: x');
	});
});

describe('answers', () => {
	it('accepts bare and JSON-quoted ids', () => {
		const id = '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d';
		expect(readReturnedId(parseBody(id))).toBe(id);
		expect(readReturnedId(parseBody(`"${id}"`))).toBe(id);
		expect(readReturnedId(parseBody(''))).toBeUndefined();
	});

	it('reads Retry-After in seconds or as a date, capped at 30 s', () => {
		expect(parseRetryAfter('2')).toBe(2000);
		expect(parseRetryAfter('3600')).toBe(30_000);
		expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
		expect(parseRetryAfter('soon')).toBeUndefined();
	});
});

describe('credential fields', () => {
	it('resolves environments and custom URLs to an origin', () => {
		expect(resolveOrigin({ environment: 'testing', format: 'pfx' })).toEqual({
			ok: true,
			origin: 'https://mnotify.staging.egov.md:8443',
		});
		expect(
			resolveOrigin({
				environment: 'custom',
				baseUrl: 'https://127.0.0.1:9443/api/',
				format: 'pfx',
			}),
		).toEqual({ ok: true, origin: 'https://127.0.0.1:9443' });
		expect(
			resolveOrigin({ environment: 'custom', baseUrl: 'http://x', format: 'pfx' }),
		).toMatchObject({
			ok: false,
		});
	});

	it('puts back the newlines of a PEM pasted on one line or with escaped newlines', () => {
		const body = 'A'.repeat(100);
		const oneLine = `-----BEGIN CERTIFICATE----- ${body} -----END CERTIFICATE-----`;
		const escaped = `-----BEGIN CERTIFICATE-----\\n${body}\\n-----END CERTIFICATE-----`;
		const expected = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n${'A'.repeat(36)}\n-----END CERTIFICATE-----\n`;
		expect(normalizePem(oneLine)).toBe(expected);
		expect(normalizePem(escaped)).toBe(expected);
	});
});
