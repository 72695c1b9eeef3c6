import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { Attachment } from '../../../helpers/interfaces';
import { checkAttachmentBytes, type AttachmentFile } from '../../../helpers/attachments';
import { InputError } from '../../../helpers/checks';

/** An attachment checked before sending; its bytes stay in the item's binary property. */
export interface BinaryAttachment extends AttachmentFile {
	property: string;
}

function binaryPropertyNames(list: string | undefined): string[] {
	return (list ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
}

export async function describeAttachments(
	context: IExecuteFunctions,
	itemIndex: number,
	list: string | undefined,
): Promise<BinaryAttachment[]> {
	const files: BinaryAttachment[] = [];
	for (const property of binaryPropertyNames(list)) {
		const binary = context.getInputData()[itemIndex]?.binary?.[property];
		const source = `binary property "${property}" of item ${itemIndex}`;
		if (!binary) {
			throw new InputError(
				`Attachments › ${property}`,
				`The input item has no binary property "${property}" to attach`,
				'Check the property name in the previous node\'s output (Binary tab), e.g. "data".',
			);
		}
		files.push({
			fileName:
				binary.fileName ?? `${property}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
			sizeBytes: await sizeOf(context, itemIndex, property, binary),
			source,
			property,
		});
	}
	return files;
}

/**
 * The size without reading the file when n8n already knows it (`bytes`), or from the length of
 * in-memory base64; only files kept elsewhere (filesystem, S3) are read to measure them.
 */
async function sizeOf(
	context: IExecuteFunctions,
	itemIndex: number,
	property: string,
	binary: IBinaryData,
): Promise<number> {
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (!binary.id) return Buffer.byteLength(binary.data, 'base64');
	return (await context.helpers.getBinaryDataBuffer(itemIndex, property)).length;
}

/**
 * Reads the bytes only when sending, so a large batch does not hold every file at once, and
 * checks the 10 MB total on what was read (the metadata checked earlier may be wrong).
 */
export async function readAttachments(
	context: IExecuteFunctions,
	itemIndex: number,
	files: BinaryAttachment[],
): Promise<Attachment[]> {
	if (files.length === 0) return [];
	const read = await Promise.all(
		files.map(async (file) => ({
			...file,
			bytes: await context.helpers.getBinaryDataBuffer(itemIndex, file.property),
		})),
	);
	checkAttachmentBytes(read.map((file) => ({ ...file, bytesRead: file.bytes.length })));
	return read.map((file) => ({ fileName: file.fileName, base64: file.bytes.toString('base64') }));
}
