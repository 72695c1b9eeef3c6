import type { INodeProperties } from 'n8n-workflow';

import { RECIPIENT_TYPES } from '../../helpers/interfaces';
import { optionsFrom } from '../common.descriptions';
import { DEFAULT_RETENTION_KEYS } from './dedupe';

const whenDeduping = { show: { dedupe: [true] } };

/** Send options for sending to thousands: dedupe across runs, dry run, test recipient, pace. */
export const bulkOptions: INodeProperties[] = [
	{
		displayName: 'Skip Already Notified',
		name: 'dedupe',
		type: 'boolean',
		default: false,
		description:
			"Whether to remember each notification's dedupe key in n8n's database and skip items whose key an earlier run already sent, so a re-run after a failure, a crash or a Stop notifies nobody twice. Skipped items are output with skipped: true and the reason.",
	},
	{
		displayName: 'Dedupe Key',
		name: 'dedupeKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.idnp }}-{{ $json.dueDate }}',
		description:
			'What makes two notifications "the same". Empty: a hash of the recipients, the template and its variables (or the texts). An expression of the IDNP and the due date (see the placeholder) sends one notice per person and due date, whatever the wording.',
		displayOptions: whenDeduping,
	},
	{
		displayName: 'Dedupe Scope',
		name: 'dedupeScope',
		type: 'options',
		options: [
			{ name: 'This Node', value: 'node', description: 'Keys seen by this node only' },
			{
				name: 'This Workflow',
				value: 'workflow',
				description: 'Keys shared by every MNotify node of this workflow that uses this scope',
			},
		],
		default: 'node',
		displayOptions: whenDeduping,
	},
	{
		displayName: 'Dedupe Retention',
		name: 'dedupeRetention',
		type: 'options',
		options: [
			{
				name: 'Days',
				value: 'days',
				description: 'Forget keys after the given number of days (to twice that at most)',
			},
			{
				name: 'Number of Keys',
				value: 'entries',
				description: 'Forget the oldest keys beyond a number',
			},
		],
		default: 'entries',
		displayOptions: whenDeduping,
	},
	{
		displayName: 'Dedupe Retention (Keys)',
		name: 'dedupeRetentionKeys',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_RETENTION_KEYS,
		description: 'How many keys to remember; the oldest are forgotten first',
		displayOptions: { show: { dedupe: [true], dedupeRetention: ['entries'] } },
	},
	{
		displayName: 'Dedupe Retention (Days)',
		name: 'dedupeRetentionDays',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 30,
		description: 'Keys are remembered at least this many days and at most twice as long',
		displayOptions: { show: { dedupe: [true], dedupeRetention: ['days'] } },
	},
	{
		displayName: 'Re-Send Outcome Unknown',
		name: 'resendOutcomeUnknown',
		type: 'boolean',
		default: false,
		description:
			'Whether to send again the items an earlier run left with an unknown outcome (it started sending them but never saw the answer). Turn on only after checking in Notification → Get Many that they did not arrive.',
		displayOptions: whenDeduping,
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		description:
			'Whether to validate and render every item and output exactly what would be sent, without sending anything',
	},
	{
		displayName: 'Send Only To',
		name: 'sendOnlyTo',
		type: 'string',
		default: '',
		placeholder: 'e.g. test@example.md',
		description:
			"A test recipient that replaces every item's recipients, for a last look at the real messages. Such runs do not mark anything as sent.",
	},
	{
		displayName: 'Send Only To (Type)',
		name: 'sendOnlyToType',
		type: 'options',
		options: optionsFrom(RECIPIENT_TYPES),
		default: 'Email',
		description: 'The kind of the test recipient',
	},
	{
		displayName: 'Max Sends per Minute',
		name: 'maxSendsPerMinute',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'The most notifications per minute, on top of Concurrency (0: no limit), counted with every send of this credential in this n8n process: Loop Over Items batches and executions running at once share it. When MNotify answers 429 Too Many Requests, that item fails, and the sends not yet started wait for its Retry-After and go on slower; nothing is re-sent.',
	},
];

export interface BulkOptions {
	dedupe?: boolean;
	dedupeKey?: string;
	dedupeScope?: string;
	dedupeRetention?: string;
	dedupeRetentionKeys?: number;
	dedupeRetentionDays?: number;
	resendOutcomeUnknown?: boolean;
	dryRun?: boolean;
	sendOnlyTo?: string;
	sendOnlyToType?: string;
	maxSendsPerMinute?: number;
}
