import type { IExecuteFunctions } from 'n8n-workflow';

import type { CertificateInfo } from './clientCertificate';

/** How long before its end a client certificate is worth a warning on every run. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "expires on 2026-12-10 (in 12 days). Ask STISC…" when the certificate ends within 30 days,
 * otherwise undefined. MNotify refuses an expired certificate, and a new one takes time to get
 * and to register.
 */
export function expiryWarning(
	certificate: CertificateInfo | undefined,
	now = new Date(),
): string | undefined {
	if (!certificate) return undefined;
	const daysLeft = Math.floor((certificate.validTo.getTime() - now.getTime()) / DAY_MS);
	if (daysLeft >= EXPIRY_WARNING_DAYS) return undefined;
	return `expires on ${certificate.validTo.toISOString().slice(0, 10)} (in ${daysLeft} days). Ask STISC for a new certificate and register it with MEGA before then: MNotify refuses an expired one.`;
}

/** The warning as a sentence of its own, naming the certificate. */
export function certificateExpiryMessage(
	certificate: CertificateInfo | undefined,
	now = new Date(),
): string | undefined {
	const warning = expiryWarning(certificate, now);
	return warning && `The MNotify client certificate ${certificate?.serialNumber} ${warning}`;
}

/**
 * n8n's credential panel does not keep the test's expiry warning in view, so a certificate that
 * ends soon is named on every run of the node, as an execution hint. Polling triggers cannot show
 * hints in n8n: they put the warning on the items they emit instead.
 */
export function hintCertificateExpiry(
	context: object,
	certificate: CertificateInfo | undefined,
): void {
	const message = certificateExpiryMessage(certificate);
	if (
		message &&
		'addExecutionHints' in context &&
		typeof context.addExecutionHints === 'function'
	) {
		(context as Pick<IExecuteFunctions, 'addExecutionHints'>).addExecutionHints({
			message,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
