import type { INodeProperties } from 'n8n-workflow';

import { RECIPIENT_TYPES } from '../../../helpers/interfaces';
import { optionsFrom } from '../../common.descriptions';
import { DEFAULT_RETENTION_KEYS } from './dedupe';
import { DEFAULT_LEDGER_TABLE } from '../ledger';
import { recipientTypeField } from './recipientTypes';

const whenDeduping = { show: { dedupe: [true] } };

/**
 * Where "Skip Already Notified" keeps its keys. A node parameter, not an option: n8n shows a
 * credential (here the Postgres one) only by top-level parameters.
 */
export const ledgerProperty: INodeProperties = {
	displayName: 'Ledger',
	name: 'ledger',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: "N8n's Processed-Data Store",
			value: 'n8n',
			description:
				'No setup. One run at a time per dedupe scope (a second live run is refused), up to a few thousand keys.',
		},
		{
			name: 'PostgreSQL',
			value: 'postgres',
			description:
				'Exact, whatever the timing: for queue mode, webhooks that may be retried, runs in parallel and large lists. Needs a Postgres credential.',
		},
	],
	default: 'n8n',
	description:
		'Where Skip Already Notified (in the options) remembers what was sent; used only with that option on',
};

/**
 * Send options for sending to thousands: dedupe across runs, dry run, test recipient, pace. This
 * is the list of node version 1's flat Options; version 1.1 shows it as "Bulk Safety", with the
 * safe defaults below (bulkSafetyOptions).
 */
export const bulkOptions: INodeProperties[] = [
	{
		displayName: 'Skip Already Notified',
		name: 'dedupe',
		type: 'boolean',
		default: false,
		description:
			"Whether to remember each notification's dedupe key in the Ledger (n8n's database by default, or PostgreSQL) and skip items whose key an earlier run already sent, so a re-run after a failure, a crash or a Stop notifies nobody twice. Skipped items are output with skipped: true and the reason.",
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
				description:
					"Keys shared by every MNotify node of this workflow that uses this scope (in n8n's store kept up to 100,000 keys, whatever each node's retention)",
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
		displayName: 'Ledger Table',
		name: 'ledgerTable',
		type: 'string',
		default: DEFAULT_LEDGER_TABLE,
		description:
			'With the PostgreSQL ledger: the table holding the keys, created on first use (lower-case letters, digits and underscores)',
		displayOptions: whenDeduping,
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
	ledgerTable?: string;
	resendOutcomeUnknown?: boolean;
	dryRun?: boolean;
	sendOnlyTo?: string;
	sendOnlyToType?: string;
	maxSendsPerMinute?: number;
}

/**
 * How long version 1.1 remembers a sent notification by default: long enough for a re-run after
 * a failure or a second click in the editor, short enough that a reminder repeated next month
 * with the same text goes out (a key is remembered at least this many days and less than twice
 * as long: 28 days at most).
 */
export const SAFE_RETENTION_DAYS = 14;

/** Version 1.1's defaults: dedupe on, remembered for a time window rather than a key count. */
const SAFE_DEFAULTS: Record<string, INodeProperties['default']> = {
	dedupe: true,
	dedupeRetention: 'days',
	dedupeRetentionDays: SAFE_RETENTION_DAYS,
};

/** What "Bulk Safety" holds when a node is added: shown in the panel, so nobody has to guess. */
export const BULK_SAFETY_DEFAULT = { ...SAFE_DEFAULTS };

/** Send Only To as one setting: the test recipient's type and value together. */
const sendOnlyToRecipient: INodeProperties = {
	displayName: 'Send Only To',
	name: 'sendOnlyTo',
	type: 'fixedCollection',
	placeholder: 'Add Test Recipient',
	default: {},
	description:
		"A test recipient that replaces every item's recipients, for a last look at the real messages. Such runs do not mark anything as sent.",
	options: [
		{
			displayName: 'Test Recipient',
			name: 'recipient',
			values: [
				{ ...recipientTypeField, default: 'Email' },
				{
					displayName: 'Value',
					name: 'value',
					type: 'string',
					default: '',
					placeholder: 'e.g. test@example.md',
				},
			],
		},
	],
};

const SAFE_DESCRIPTIONS: Record<string, string> = {
	dedupe:
		"Whether to remember each notification's dedupe key in the Ledger (n8n's database by default, or PostgreSQL) and skip items whose key an earlier run already sent (a second click on Execute step, a re-run after a failure, a crash or a Stop notifies nobody twice). On by default; skipped items are output with skipped: true, the reason and the recipients.",
};

/** Version 1.1's "Bulk Safety": the same options and names, safe defaults, Send Only To in one. */
export const bulkSafetyOptions: INodeProperties[] = bulkOptions
	.filter((option) => option.name !== 'sendOnlyToType')
	.map((option) => {
		if (option.name === 'sendOnlyTo') return sendOnlyToRecipient;
		const safe = { ...option };
		if (option.name in SAFE_DEFAULTS) safe.default = SAFE_DEFAULTS[option.name];
		if (option.name in SAFE_DESCRIPTIONS) safe.description = SAFE_DESCRIPTIONS[option.name];
		return safe;
	});
