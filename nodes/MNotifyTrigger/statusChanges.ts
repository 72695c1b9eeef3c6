/**
 * Which notifications changed since the last poll. MNotify has no status-change feed or filter,
 * so the trigger lists notifications by `lastUpdatedAt`, newest first, and keeps a watermark.
 * Pure functions: the node does the I/O.
 */

export interface NotificationSummary {
	id?: string;
	status?: string;
	createdAt?: string;
	lastUpdatedAt?: string;
	[field: string]: unknown;
}

/** What the trigger remembers between polls, in the workflow's static data. */
export interface TriggerState {
	/** Server time (ms) of the newest change already handled. */
	watermark?: number;
	/** Changes exactly at the watermark already handled (several can share a timestamp). */
	handledAtWatermark?: string[];
	/** Server time (ms) the trigger started watching; "only new notifications" counts from here. */
	watchingSince?: number;
}

export function timeOf(value: unknown): number {
	const time = typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isFinite(time) ? time : 0;
}

function changeKey(notification: NotificationSummary): string {
	return `${String(notification.id)}:${String(notification.status)}:${String(notification.lastUpdatedAt)}`;
}

/** Whether this change is newer than what the trigger already handled. */
export function isUnhandled(notification: NotificationSummary, state: TriggerState): boolean {
	const time = timeOf(notification.lastUpdatedAt);
	const watermark = state.watermark ?? 0;
	if (time > watermark) return true;
	return time === watermark && !(state.handledAtWatermark ?? []).includes(changeKey(notification));
}

/** A page newest first: once it reaches changes at or before the watermark, older pages hold none. */
export function pageReachesWatermark(page: NotificationSummary[], state: TriggerState): boolean {
	return page.some((notification) => timeOf(notification.lastUpdatedAt) < (state.watermark ?? 0));
}

/** The state after handling these changes: the watermark moves to the newest of them. */
export function advanceState(state: TriggerState, changes: NotificationSummary[]): TriggerState {
	let watermark = state.watermark ?? 0;
	for (const change of changes) watermark = Math.max(watermark, timeOf(change.lastUpdatedAt));
	const previous = watermark === state.watermark ? (state.handledAtWatermark ?? []) : [];
	const atWatermark = changes
		.filter((change) => timeOf(change.lastUpdatedAt) === watermark)
		.map(changeKey);
	return {
		...state,
		watermark,
		handledAtWatermark: [...new Set([...previous, ...atWatermark])],
	};
}

export interface EmitOptions {
	statuses: string[];
	onlyNewNotifications: boolean;
}

/** The changes to emit, oldest first, as the workflow would have seen them happen. */
export function changesToEmit(
	changes: NotificationSummary[],
	state: TriggerState,
	options: EmitOptions,
): NotificationSummary[] {
	return changes
		.filter((change) => options.statuses.includes(String(change.status)))
		.filter(
			(change) =>
				!options.onlyNewNotifications || timeOf(change.createdAt) > (state.watchingSince ?? 0),
		)
		.sort((a, b) => timeOf(a.lastUpdatedAt) - timeOf(b.lastUpdatedAt));
}
