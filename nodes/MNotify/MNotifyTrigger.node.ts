import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { readNotificationDetails } from './helpers/answers';
import { describeValue } from './helpers/checks';
import {
	CREDENTIAL_TYPE,
	fetchList,
	listPages,
	withConnection,
	type MNotifyConnection,
} from './transport';
import { statusOptions } from './actions/common.descriptions';
import { DEFAULT_VERSION, NODE_VERSIONS, onlyVersion1, sinceSafeVersion } from './actions/versions';
import {
	DEFAULT_PAGE_SIZE,
	DELIVERY_PROGRESSION,
	FINAL_STATUSES,
	UUID_PATTERN,
} from './helpers/interfaces';
import { mNotifyApiTest } from './methods/credentialTest';
import {
	advanceState,
	changesToEmit,
	isUnhandled,
	pageReachesWatermark,
	rememberEmitted,
	type NotificationSummary,
	type TriggerState,
} from './helpers/statusChanges';

/** The most recently changed notifications first: MNotify has no status-change feed. */
const latestChanges = {
	path: '/api/notification',
	query: { ItemsPerPage: DEFAULT_PAGE_SIZE, OrderField: 'lastUpdatedAt desc' },
	action: 'list notifications',
};
/** Bounds the API calls of one poll; changes beyond it are reported as an error, not dropped silently. */
const MAX_PAGES_PER_POLL = 20;

/** Whom each notification reached and how: version 1.1 outputs it unless told not to. */
const includeDetails = {
	displayName: 'Include Recipients and Messages',
	name: 'includeDetails',
	description:
		"Whether to read each notification's per-recipient, per-channel messages (one more request per item)",
} as const;

export class MNotifyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MNotify Trigger',
		name: 'mNotifyTrigger',
		icon: { light: 'file:../../icons/mnotify.svg', dark: 'file:../../icons/mnotify.dark.svg' },
		group: ['trigger'],
		version: NODE_VERSIONS,
		defaultVersion: DEFAULT_VERSION,
		subtitle: '={{ "On " + $parameter["statuses"].join(", ") }}',
		description:
			'Starts the workflow when a notification sent with this certificate reaches a chosen status',
		defaults: { name: 'MNotify Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true, testedBy: 'mNotifyApiTest' }],
		properties: [
			{
				// "Trigger On": n8n's nodes panel lists one action per choice ("Notification delivered", …).
				displayName: 'Trigger On',
				name: 'statuses',
				type: 'multiOptions',
				options: statusOptions([...DELIVERY_PROGRESSION, 'Failed', 'Cancelled']).map((option) => ({
					...option,
					action: `Notification ${String(option.value).toLowerCase()}`,
				})),
				default: [...FINAL_STATUSES],
				required: true,
				description:
					'Emit an item when a notification is found in one of these statuses for the first time',
			},
			{
				displayName: 'Only New Notifications',
				name: 'onlyNewNotifications',
				type: 'boolean',
				default: true,
				description:
					'Whether to ignore notifications that already existed when the workflow was activated',
			},
			{ ...includeDetails, type: 'boolean', default: false, displayOptions: onlyVersion1 },
			{ ...includeDetails, type: 'boolean', default: true, displayOptions: sinceSafeVersion },
		],
	};

	methods = { credentialTest: { mNotifyApiTest } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await withConnection(
			this,
			async (connection) => await pollChanges.call(this, connection),
		);
	}
}

/**
 * One poll. The static data (watermark, emitted statuses) changes only once every read of the
 * poll succeeded: n8n keeps the workflow (and its static data) in memory between polls, so a
 * state moved on before a failed read would skip that change for good.
 */
async function pollChanges(
	this: IPollFunctions,
	connection: MNotifyConnection,
): Promise<INodeExecutionData[][] | null> {
	const statuses = this.getNodeParameter('statuses', []) as string[];
	const onlyNewNotifications = this.getNodeParameter('onlyNewNotifications', true) as boolean;
	const includeDetails = this.getNodeParameter('includeDetails', true) as boolean;

	if (this.getMode() === 'manual') {
		// The test event looks like what the trigger will emit, details included.
		const sample = await sampleEvent(connection, statuses);
		const details =
			includeDetails && !sample.sample ? await readDetails(connection, sample.id) : {};
		return [
			withCertificateWarning(
				[{ json: { ...sample, ...details } }],
				await connection.certificateExpiryWarning(),
			),
		];
	}

	const state = this.getWorkflowStaticData('node') as TriggerState;
	const changes = await readChangesSince.call(this, connection, state);
	const next = advanceState(state, changes);
	if (state.watermark === undefined) {
		// The first poll only sets the starting point, on the server's clock, so nothing that
		// happened before activation is emitted and clock differences do not matter.
		Object.assign(state, next, { watchingSince: next.watermark ?? 0 });
		return null;
	}

	const emitted = changesToEmit(changes, next, { statuses, onlyNewNotifications });
	const items: INodeExecutionData[] = [];
	for (const change of emitted) {
		const details = includeDetails ? await readDetails(connection, change.id) : {};
		items.push({ json: { ...change, ...details } as IDataObject });
	}
	Object.assign(state, emitted.length > 0 ? rememberEmitted(next, emitted) : next);
	if (items.length === 0) return null;
	const warning = await connection.certificateExpiryWarning();
	if (warning) this.logger.warn(warning);
	return [withCertificateWarning(items, warning)];
}

/**
 * n8n gives polling triggers no execution hints, so a certificate that expires within 30 days is
 * named on the items the trigger emits, where the people reading the executions look.
 */
function withCertificateWarning(
	items: INodeExecutionData[],
	warning: string | undefined,
): INodeExecutionData[] {
	return warning
		? items.map((item) => ({ ...item, json: { ...item.json, certificateWarning: warning } }))
		: items;
}

/** Notifications changed after the watermark, newest first, walking pages until older ones. */
async function readChangesSince(
	this: IPollFunctions,
	connection: MNotifyConnection,
	state: TriggerState,
): Promise<NotificationSummary[]> {
	const changes: NotificationSummary[] = [];
	let pagesRead = 0;
	for await (const page of listPages(connection, latestChanges) as AsyncGenerator<
		NotificationSummary[]
	>) {
		changes.push(...page.filter((notification) => isUnhandled(notification, state)));
		// Before the first poll only the newest change matters: it becomes the starting point.
		if (state.watermark === undefined) return changes.slice(0, 1);
		if (pageReachesWatermark(page, state)) return changes;
		if (++pagesRead === MAX_PAGES_PER_POLL) {
			throw new NodeOperationError(
				this.getNode(),
				`More than ${MAX_PAGES_PER_POLL * DEFAULT_PAGE_SIZE} notifications changed since the last poll`,
				{
					description:
						'The trigger reads at most this many per poll to stay light on MNotify. Poll more often (e.g. every minute) so no change is missed.',
				},
			);
		}
	}
	return changes;
}

/** A notification's recipients and messages; a failed read fails the poll (retried next time). */
async function readDetails(connection: MNotifyConnection, id: unknown): Promise<IDataObject> {
	if (typeof id !== 'string' || !UUID_PATTERN.test(id)) {
		return {
			detailsError: `MNotify listed ${describeValue(id)} as a notification id; its details were not read`,
		};
	}
	const answer = await connection.request({
		method: 'GET',
		path: `/api/notification/${encodeURIComponent(id)}`,
		action: `get notification ${id}`,
	});
	const read = readNotificationDetails(answer);
	if (!read.ok) {
		throw new NodeOperationError(
			connection.context.getNode(),
			`MNotify's answer about notification ${id} could not be read: ${read.problem}`,
			{ description: 'The change will be emitted by a later poll once MNotify answers properly.' },
		);
	}
	return { recipients: read.details.recipients ?? [] };
}

/** "Fetch test event": the latest real notification in a chosen status, or a realistic example. */
async function sampleEvent(
	connection: MNotifyConnection,
	statuses: string[],
): Promise<IDataObject> {
	const latest = (
		(await fetchList(connection, {
			...latestChanges,
			limit: DEFAULT_PAGE_SIZE,
		})) as NotificationSummary[]
	).find((notification) => statuses.includes(String(notification.status)));
	if (latest) return latest as IDataObject;
	const now = new Date();
	return {
		id: '3f2b9c1e-7a4d-4e5f-9b8a-6c7d8e9f0a1b',
		status: statuses[0] ?? 'Delivered',
		createdAt: new Date(now.getTime() - 60_000).toISOString(),
		lastUpdatedAt: now.toISOString(),
		createdBy: '1003600012345',
		lastUpdatedBy: 'MNotify',
		sample: true,
		note: `No notification in status ${statuses.join('/')} yet; this is an example of what the trigger emits.`,
	};
}
