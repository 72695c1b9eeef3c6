import {
	advanceState,
	changesToEmit,
	isUnhandled,
	rememberEmitted,
	type NotificationSummary,
	type TriggerState,
} from '../../nodes/MNotify/helpers/statusChanges';

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 10, 0, seconds)).toISOString();
const change = (id: string, status: string, updated: number, created = 0): NotificationSummary => ({
	id,
	status,
	createdAt: at(created),
	lastUpdatedAt: at(updated),
});
const options = { statuses: ['Delivered', 'Failed'], onlyNewNotifications: true };

/** One poll as the trigger does it: find unhandled changes, emit, remember. */
function poll(state: TriggerState, listed: NotificationSummary[]) {
	const changes = listed.filter((notification) => isUnhandled(notification, state));
	let next = advanceState(state, changes);
	const emitted = changesToEmit(changes, next, options);
	next = rememberEmitted(next, emitted);
	return { emitted: emitted.map((item) => `${item.id}:${item.status}`), state: next };
}

describe('trigger state', () => {
	const start: TriggerState = { watermark: Date.parse(at(10)), watchingSince: Date.parse(at(10)) };

	it('emits a status once even when the notification is updated again in it', () => {
		const first = poll(start, [change('a', 'Failed', 20, 11)]);
		expect(first.emitted).toEqual(['a:Failed']);
		const second = poll(first.state, [change('a', 'Failed', 30, 11)]);
		expect(second.emitted).toEqual([]);
		const third = poll(second.state, [change('a', 'Delivered', 40, 11)]);
		expect(third.emitted).toEqual(['a:Delivered']);
	});

	it("handles several changes sharing the watermark's timestamp exactly once", () => {
		const first = poll(start, [change('a', 'Delivered', 20, 11)]);
		const second = poll(first.state, [
			change('b', 'Delivered', 20, 12),
			change('a', 'Delivered', 20, 11),
		]);
		expect(second.emitted).toEqual(['b:Delivered']);
		expect(poll(second.state, [change('b', 'Delivered', 20, 12)]).emitted).toEqual([]);
	});

	it('ignores notifications created before it started watching, and unwanted statuses', () => {
		expect(
			poll(start, [change('old', 'Delivered', 20, 5), change('c', 'Sent', 21, 11)]).emitted,
		).toEqual([]);
	});

	it('forgets emitted statuses older than 30 days', () => {
		const remembered = rememberEmitted({ watermark: Date.parse(at(0)) + 31 * 86_400_000 }, [
			change('a', 'Delivered', 0),
		]);
		expect(remembered.emitted).toEqual([]);
	});
});
