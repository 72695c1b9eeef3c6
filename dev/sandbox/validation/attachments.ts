/** Attachment rules (§7): allowed extensions, valid base64, at most 10 MB decoded in total. */
import { isPlainObject } from '../wire';
import { type FieldErrorCollector, isNonBlankString, requiredMessage } from './fieldErrors';

export const ALLOWED_ATTACHMENT_EXTENSIONS = [
	'.jpeg',
	'.jpg',
	'.png',
	'.txt',
	'.pdf',
	'.csv',
	'.xls',
];
export const MAX_ATTACHMENTS_BYTES = 10 * 1024 * 1024;

/** Kept free of nested quantifiers: attachments reach 13 MB of base64. */
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

export interface AttachmentSummary {
	fileName: string;
	sizeBytes: number;
}

/** Decoded size without decoding; .NET's Convert.FromBase64String also ignores whitespace. */
function decodedBase64Size(base64: string): number | undefined {
	const compact = base64.replace(/\s+/g, '');
	if (compact.length % 4 !== 0 || !BASE64_ALPHABET.test(compact)) return undefined;
	const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
	return (compact.length / 4) * 3 - padding;
}

function readAttachment(
	value: unknown,
	path: string,
	errors: FieldErrorCollector,
): AttachmentSummary | undefined {
	if (!isPlainObject(value)) {
		errors.add(path, `${path} must be an object { "fileName", "base64" }.`);
		return undefined;
	}
	const { fileName, base64 } = value;
	let valid = true;
	if (!isNonBlankString(fileName)) {
		errors.add(`${path}.FileName`, requiredMessage(`${path}.FileName`));
		valid = false;
	} else if (!ALLOWED_ATTACHMENT_EXTENSIONS.some((ext) => fileName.toLowerCase().endsWith(ext))) {
		errors.add(
			`${path}.FileName`,
			`'${fileName}' has an extension MNotify does not accept. Allowed: ${ALLOWED_ATTACHMENT_EXTENSIONS.join(' ')}.`,
		);
		valid = false;
	}
	if (!isNonBlankString(base64)) {
		errors.add(`${path}.Base64`, requiredMessage(`${path}.Base64`));
		return undefined;
	}
	const sizeBytes = decodedBase64Size(base64);
	if (sizeBytes === undefined) {
		errors.add(`${path}.Base64`, `${path}.Base64 is not valid base64.`);
		return undefined;
	}
	return valid ? { fileName: fileName as string, sizeBytes } : undefined;
}

export function readAttachments(value: unknown, errors: FieldErrorCollector): AttachmentSummary[] {
	if (value === undefined || value === null) return [];
	if (!Array.isArray(value)) {
		errors.add('Attachments', 'Attachments must be an array of { "fileName", "base64" } objects.');
		return [];
	}
	const attachments = value
		.map((item, index) => readAttachment(item, `Attachments[${index}]`, errors))
		.filter((attachment): attachment is AttachmentSummary => attachment !== undefined);
	const totalBytes = attachments.reduce((sum, attachment) => sum + attachment.sizeBytes, 0);
	if (totalBytes > MAX_ATTACHMENTS_BYTES) {
		errors.add(
			'Attachments',
			`Attachments total ${totalBytes} bytes; the limit is ${MAX_ATTACHMENTS_BYTES} bytes (10 MB) in total.`,
		);
	}
	return attachments;
}
