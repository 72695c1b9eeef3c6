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
	/**
	 * The status last emitted per notification, as [id, status, server time ms]: a notification
	 * can be updated again without changing status (another channel moving on), and must not be
	 * emitted twice for the same status. Bounded by age and count.
	 */
	emitted?: Array<[string, string, number]>;
}

/** How long and how many emitted statuses are remembered. */
const REMEMBER_EMITTED_MS = 30 * 24 * 60 * 60 * 1000;
const REMEMBER_EMITTED_COUNT = 10_000;

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
	const lastEmitted = new Map((state.emitted ?? []).map(([id, status]) => [id, status]));
	return changes
		.filter((change) => options.statuses.includes(String(change.status)))
		.filter((change) => lastEmitted.get(String(change.id)) !== String(change.status))
		.filter(
			(change) =>
				!options.onlyNewNotifications || timeOf(change.createdAt) > (state.watchingSince ?? 0),
		)
		.sort((a, b) => timeOf(a.lastUpdatedAt) - timeOf(b.lastUpdatedAt));
}

/** Remembers what was emitted, forgetting the oldest beyond the age and count bounds. */
export function rememberEmitted(state: TriggerState, emitted: NotificationSummary[]): TriggerState {
	const byId = new Map((state.emitted ?? []).map((entry) => [entry[0], entry]));
	for (const change of emitted) {
		byId.set(String(change.id), [
			String(change.id),
			String(change.status),
			timeOf(change.lastUpdatedAt),
		]);
	}
	const oldest = (state.watermark ?? 0) - REMEMBER_EMITTED_MS;
	const kept = [...byId.values()]
		.filter(([, , at]) => at >= oldest)
		.sort((a, b) => b[2] - a[2])
		.slice(0, REMEMBER_EMITTED_COUNT);
	return { ...state, emitted: kept };
}
