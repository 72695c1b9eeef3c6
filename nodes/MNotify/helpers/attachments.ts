/** Attachments: the allowed names and extensions, and the total size MNotify takes. */
import { ATTACHMENTS_LIMIT_IN_WORDS, LIMITS } from './interfaces';
import { InputError, preview } from './checks';

export const ALLOWED_ATTACHMENT_EXTENSIONS = [
	'.jpeg',
	'.jpg',
	'.png',
	'.txt',
	'.pdf',
	'.csv',
	'.xls',
];

export interface AttachmentFile {
	fileName: string;
	sizeBytes: number;
	/** Where the file came from, for the message: e.g. binary property "data". */
	source: string;
}

/** Checks names, extensions and the 10 MB total before anything is read into base64. */
export function checkAttachments(files: AttachmentFile[]): void {
	let total = 0;
	for (const file of files) {
		const field = `Attachments › ${file.source}`;
		validateAttachmentFileName(file.fileName, field, file.source);
		const extension = attachmentExtension(file.fileName);
		if (!ALLOWED_ATTACHMENT_EXTENSIONS.includes(extension)) {
			throw new InputError(
				field,
				`Attachment "${file.fileName}" (${file.source}) has ${extension ? `the extension ${extension}` : 'no extension'}, which MNotify does not accept`,
				`Allowed: ${ALLOWED_ATTACHMENT_EXTENSIONS.join(' ')}. Convert the file or rename it if its content really is of one of these types.`,
			);
		}
		total += file.sizeBytes;
		if (total > LIMITS.attachmentsTotalBytes) throw attachmentsTooLarge(file, field);
	}
}

/**
 * The 10 MB total on the bytes actually read: n8n's `bytes` metadata (used for the early check)
 * can be wrong, and nothing larger may leave.
 */
export function checkAttachmentBytes(files: Array<AttachmentFile & { bytesRead: number }>): void {
	let total = 0;
	for (const file of files) {
		total += file.bytesRead;
		if (total > LIMITS.attachmentsTotalBytes) {
			throw attachmentsTooLarge(
				{ ...file, sizeBytes: file.bytesRead },
				`Attachments › ${file.source}`,
			);
		}
	}
}

function attachmentsTooLarge(file: AttachmentFile, field: string): InputError {
	return new InputError(
		field,
		`Attachments exceed ${ATTACHMENTS_LIMIT_IN_WORDS} in total when "${file.fileName}" (${file.source}, ${formatBytes(file.sizeBytes)}) is added`,
		`MNotify accepts at most ${ATTACHMENTS_LIMIT_IN_WORDS} of attachments per notification. Send fewer or smaller files.`,
	);
}

export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A file name MNotify can show and a recipient can save: no control characters (NUL included),
 * no path separators and no "..", which could place the file elsewhere on a recipient's disk.
 */
export function validateAttachmentFileName(fileName: string, field: string, source: string): void {
	// eslint-disable-next-line no-control-regex
	const problem = /[\u0000-\u001f\u007f]/.test(fileName)
		? 'a control character'
		: /[/\\]/.test(fileName)
			? 'a path separator'
			: fileName.includes('..')
				? '".."'
				: undefined;
	if (problem) {
		throw new InputError(
			field,
			`Attachment name "${preview(JSON.stringify(fileName).slice(1, -1))}" (${source}) contains ${problem}`,
			"Give the file a plain name such as factura.pdf (e.g. with the Edit Fields node or the binary property's File Name).",
		);
	}
}

export function attachmentExtension(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	return dot === -1 ? '' : fileName.slice(dot).toLowerCase();
}
