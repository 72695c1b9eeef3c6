/**
 * The status clock (§6, §12): a notification advances one lifecycle step per `stepMs` since it
 * was created. Everything is computed from "now" on demand, so no timers are involved.
 */
import type { NotificationStatus, StoredNotification, StoredRecipient } from './model';

const LIFECYCLE: readonly NotificationStatus[] = [
	'Pending',
	'Resolving',
	'Sending',
	'Sent',
	'Delivered',
];
/** Index of `Sent` in LIFECYCLE: the step at which failing recipients fail instead. */
const SENT_STEP = 3;
const FINAL_STATUSES: readonly NotificationStatus[] = ['Delivered', 'Read', 'Failed', 'Cancelled'];
const CANCELLABLE_STATUSES: readonly NotificationStatus[] = ['Pending', 'Resolving', 'Sending'];

/** The name status changes made by the service itself are attributed to. */
export const SYSTEM_ACTOR = 'MNotify';

export interface StatusSnapshot {
	status: NotificationStatus;
	changedAtMs: number;
	changedBy: string;
}

export interface StatusTiming {
	nowMs: number;
	/** 0 freezes every notification at Pending. */
	stepMs: number;
}

function lifecycleStep(notification: StoredNotification, timing: StatusTiming): number {
	if (timing.stepMs <= 0) return 0;
	const elapsed = Math.max(0, timing.nowMs - notification.createdAtMs);
	return Math.min(Math.floor(elapsed / timing.stepMs), LIFECYCLE.length - 1);
}

function snapshotAtStep(
	notification: StoredNotification,
	timing: StatusTiming,
	step: number,
	status: NotificationStatus,
): StatusSnapshot {
	return {
		status,
		changedAtMs: notification.createdAtMs + step * timing.stepMs,
		changedBy: step === 0 ? notification.sender.id : SYSTEM_ACTOR,
	};
}

function cancelledSnapshot(notification: StoredNotification): StatusSnapshot | undefined {
	const cancellation = notification.cancellation;
	return (
		cancellation && {
			status: 'Cancelled',
			changedAtMs: cancellation.atMs,
			changedBy: cancellation.by,
		}
	);
}

export function recipientStatus(
	notification: StoredNotification,
	recipient: StoredRecipient,
	timing: StatusTiming,
): StatusSnapshot {
	const cancelled = cancelledSnapshot(notification);
	if (cancelled) return cancelled;
	const step = lifecycleStep(notification, timing);
	if (recipient.fails && step >= SENT_STEP) {
		return snapshotAtStep(notification, timing, SENT_STEP, 'Failed');
	}
	return snapshotAtStep(notification, timing, step, LIFECYCLE[step]);
}

/** Failed as soon as any recipient's messages failed; otherwise the common lifecycle status. */
export function notificationStatus(
	notification: StoredNotification,
	timing: StatusTiming,
): StatusSnapshot {
	const cancelled = cancelledSnapshot(notification);
	if (cancelled) return cancelled;
	const step = lifecycleStep(notification, timing);
	const anyFailure = notification.recipients.some((recipient) => recipient.fails);
	if (anyFailure && step >= SENT_STEP) {
		return snapshotAtStep(notification, timing, step, 'Failed');
	}
	return snapshotAtStep(notification, timing, step, LIFECYCLE[step]);
}

export function isFinalStatus(status: NotificationStatus): boolean {
	return FINAL_STATUSES.includes(status);
}

export function isCancellableStatus(status: NotificationStatus): boolean {
	return CANCELLABLE_STATUSES.includes(status);
}
