import { itemRanges } from '../../nodes/MNotify/actions/sendReport';
import { sendOptions } from '../../nodes/MNotify/actions/notification/send/send.options';
import { listPageProblem, notificationDetailsProblem } from '../../nodes/MNotify/helpers/answers';
import { flattenMessages, hasReachedAny } from '../../nodes/MNotify/helpers/responses';
import { validateAttachmentFileName } from '../../nodes/MNotify/helpers/attachments';
import { checkOptionValues, InputError } from '../../nodes/MNotify/helpers/checks';
import type { INodeProperties } from 'n8n-workflow';

describe('waiting for a status', () => {
	it('goes on past Delivered when waiting for Read, and stops where nothing follows', () => {
		expect(hasReachedAny('Delivered', ['Read'])).toBe(false);
		expect(hasReachedAny('Read', ['Read'])).toBe(true);
		expect(hasReachedAny('Delivered', ['Sent'])).toBe(true);
		expect(hasReachedAny('Failed', ['Read'])).toBe(true);
		expect(hasReachedAny('Read', ['Failed'])).toBe(true);
	});
});

describe('shapes of answers', () => {
	it.each([
		[null, /is null/],
		[42, /is a number/],
		[{ recipients: 7 }, /recipients are a number/],
		[{ recipients: [{ messages: 'x' }] }, /messages of recipient 1 are text/],
		[{ recipients: [{ messages: [1] }] }, /message 1 of recipient 1 is a number/],
		[{ status: ['Sent'] }, /status is a list/],
	])('names what is wrong with %j', (answer, problem) => {
		expect(notificationDetailsProblem(answer)).toMatch(problem);
	});

	it('accepts details with unknown fields and missing ones', () => {
		expect(notificationDetailsProblem({ id: 'x', extra: { a: 1 } })).toBeUndefined();
		expect(listPageProblem([{ id: 'a' }, {}])).toBeUndefined();
		expect(listPageProblem([{ id: 'a' }, null])).toMatch(/entry 2 is null/);
	});

	it('keeps every field of a message row', () => {
		const rows = flattenMessages({
			id: 'n',
			status: 'Sent',
			recipients: [
				{
					type: 'IDNO',
					value: '1',
					isLegal: true,
					messages: [{ status: 'Sent', code: 7, x: 'y' }],
				},
			],
		});
		expect(rows).toEqual([
			{
				notificationId: 'n',
				notificationStatus: 'Sent',
				recipientType: 'IDNO',
				recipientValue: '1',
				recipientIsLegal: true,
				messageStatus: 'Sent',
				code: 7,
				x: 'y',
			},
		]);
	});
});

describe('inputs', () => {
	const options = sendOptions.options as INodeProperties[];

	it.each([
		[{ concurrency: 'many' }, /Options › Concurrency must be a number from 1 to 32/],
		[{ concurrency: 0 }, /Options › Concurrency must be a number/],
		[{ timeoutSeconds: 'soon' }, /Options › Timeout \(Seconds\) must be a number 1 or more/],
		[{ waitUntilStatuses: ['Deliverd'] }, /Wait Until Status "Deliverd" is not one of its choices/],
		[{ waitForDelivery: 'yes' }, /must be true or false/],
	])('refuses the option %j', (values, message) => {
		expect(() => checkOptionValues(values, options)).toThrow(message);
	});

	it('turns numbers given as text into numbers', () => {
		expect(checkOptionValues({ concurrency: '4' }, options)).toEqual({ concurrency: 4 });
	});

	it.each(['a\u0000.pdf', 'a\n.pdf', '../a.pdf', 'x/a.pdf', 'x\\a.pdf'])(
		'refuses the attachment name %j',
		(name) => {
			expect(() => validateAttachmentFileName(name, 'Attachments', 'data')).toThrow(InputError);
		},
	);

	it('writes consecutive items as ranges', () => {
		expect(itemRanges([3])).toBe('item 3');
		expect(itemRanges([0, 1, 2, 5, 7, 8])).toBe('items 0–2, 5, 7–8');
	});
});
